"""``harmonize``: paste an object into a painting and paint it in (Luan et al. 2018, the 2018
lesson's project), from the command line.

Inputs, placement and outputs are checked before Keras loads; any problem is one line, exit 2.
"""

import time
from pathlib import Path

from ..core import memory
from ..core.defaults import EVALS_PER_ITER, OPTIMIZERS
from ..core.errors import NSTError
from ..core.image_io import (
    check_output,
    fresh_path,
    load_image,
    load_mask,
    names_folder,
    output_folder,
    save_image,
    sized_shape,
)
from ..core.vgg import BYTES_PER_PIXEL
from ..harmonization.defaults import HARMONIZE_DILATE, HARMONIZE_ITERS, HARMONIZE_POST, POSTS, STYLE_LEVEL, STYLE_LEVELS
from .flags import rounds_arg, size_arg, sizes_arg
from .kit import add_overwrite_flag, add_precision_flag


def _point(text):
    try:
        x, y = (int(v) for v in text.split(","))
    except ValueError:
        raise NSTError(f"--at {text}: X,Y in px of the painting, e.g. 320,240") from None
    return x, y


def add_parsers(sub):
    p = sub.add_parser("harmonize", help="paste an object into a painting and paint it in (deep painterly "
                                         "harmonization)")
    p.add_argument("--painting", required=True, help="the painting, without the object")
    p.add_argument("--composite", help="the painting with the object pasted in (as an image editor makes it)")
    p.add_argument("--mask", help="the object in --composite: white on black, any size of the same shape")
    p.add_argument("--object", help="instead of --composite and --mask: the object, a cut-out with transparency "
                                    "(RGBA PNG), or a photo with --object-mask; pasted here")
    p.add_argument("--object-mask", help="white = the object in the --object photo")
    p.add_argument("--at", metavar="X,Y", help="where the object's centre goes, in px of the painting (default: "
                                               "the centre)")
    p.add_argument("--scale", type=float, help="the object's size factor (default 1)")
    p.add_argument("--out", help="output image, or a folder (PAINTING_harmonized.png in it); default "
                                 "PAINTING_harmonized.png, never replacing a file")
    add_overwrite_flag(p)
    p.add_argument("--size", type=size_arg, help="longer side in px to work at (default: the painting's own)")
    p.add_argument("--multires", type=sizes_arg, metavar="S1,S2,...",
                   help="coarse to fine, e.g. 400,800,1440 (replaces --size): both passes at each size, each "
                        "level from the last result, so large pictures fit a CPU's time and memory")
    p.add_argument("--iters", type=rounds_arg, default=HARMONIZE_ITERS,
                   help=f"L-BFGS rounds of {EVALS_PER_ITER} evaluations per pass (default {HARMONIZE_ITERS})")
    p.add_argument("--style-level", type=int, default=STYLE_LEVEL, choices=sorted(STYLE_LEVELS), metavar="1..10",
                   help=f"how strongly the object is painted: 1 barely, 10 painted over (default {STYLE_LEVEL})")
    p.add_argument("--dilate", type=int, metavar="PX",
                   help="grow the mask by PX px to repaint the object's edge too (default "
                        f"{HARMONIZE_DILATE * 100:.1f}%% of the longer side)")
    p.add_argument("--post", choices=POSTS, default=HARMONIZE_POST,
                   help="after the passes: 'paper' (chrominance denoising, then the colours of each 7x7 patch's "
                        "nearest painting patch, the object's own light kept), 'denoise' (the first only), 'none' "
                        f"(default {HARMONIZE_POST})")
    p.add_argument("--grid", metavar="G.png", help="also write painting | composite | pass 1 | passes | result")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=OPTIMIZERS[0], help="as for transfer")
    add_precision_flag(p, "VGG16 computes in bfloat16, Gram matrices and losses in float32")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")


OBJECT_ONLY = ("object_mask", "at", "scale")  # flags that only place an --object


def _flag(name):
    return "--" + name.replace("_", "-")


def _inputs(args):
    """(painting, composite, mask) as arrays at the working size, all checked before Keras loads."""
    if args.object:
        if args.composite or args.mask:
            raise NSTError("give --object (pasted here) or --composite and --mask, not both")
        from ..harmonization.inputs import compose, read_object

        painting = load_image(args.painting, args.size)
        obj = read_object(args.object, args.object_mask)
        at = None if args.at is None else _point(args.at)
        scale = 1.0 if args.scale is None else args.scale
        shrink = painting.shape[1] / sized_shape(args.painting, None)[1]  # --at and --scale: of the painting's own px
        at = None if at is None else tuple(round(v * shrink) for v in at)
        words = {"at": f"--at {args.at}", "scale": f"--scale {args.scale:g}" if args.scale is not None else "--scale 1",
                 "object": f"--object {args.object}"}
        composite, m = compose(painting, obj, at=at, scale=scale * shrink, words=words)
        return painting, composite, m
    if not (args.composite and args.mask):
        raise NSTError("give --composite and --mask (the painting with the object, and the object's mask), or "
                       "--object to paste one")
    from ..harmonization.inputs import check_composite

    painting, composite = load_image(args.painting, args.size), load_image(args.composite, args.size)
    return painting, check_composite(painting, composite, args.composite), load_mask(args.mask, composite.shape)


def _check_flags(args):
    """Flags that would do nothing are refused: placing flags without --object."""
    if not args.object:
        given = [_flag(f) for f in OBJECT_ONLY if getattr(args, f) is not None]
        if given:
            them = "them" if len(given) > 1 else "it"
            raise NSTError(f"{', '.join(given)}: for placing an --object only; with --composite and --mask the object "
                           f"is in place already: leave {them} out")


def _output(args, inputs):
    """--out (a file, or a folder that gets PAINTING_harmonized.png) or the default, and --grid, checked."""
    name = f"{Path(args.painting).stem}_harmonized"
    if args.out is None:
        out = fresh_path(name)
    elif names_folder(args.out):
        out = output_folder(args.out, [Path(args.painting)], inputs, lambda p: f"{name}.png", "images",
                            overwrite=args.overwrite)[0]
    else:
        out = args.out
    out = check_output(out, inputs, overwrite=args.overwrite)
    if args.grid:
        from ..core.plots import check_grid

        check_grid(args.grid, inputs, {out: "the --out image"}, overwrite=args.overwrite)
    return out


def harmonize_command(args):
    from tqdm import tqdm

    from ..harmonization.inputs import check_dilate, check_mask, level_weights

    started = time.perf_counter()
    level_weights(args.style_level)
    check_dilate(args.dilate)
    _check_flags(args)
    inputs = [p for p in (args.painting, args.composite, args.mask, args.object, args.object_mask) if p]
    out = _output(args, inputs)
    if args.multires:
        args.size = args.multires[-1]  # inputs, placement and memory as at the finest level
    shape = sized_shape(args.painting, args.size)  # memory from the header, before anything is decoded
    if shape:
        memory.check_images([(1, *shape)], BYTES_PER_PIXEL)
    painting, composite, mask = _inputs(args)
    check_mask(mask, args.mask or args.object)

    from ..core.backend import describe_precision
    from ..harmonization.passes import harmonize

    bars = []

    def progress(i, x, loss, stage):
        if i == 0:  # a pass begins (at each --multires level)
            for bar in bars:
                bar.close()
            bars.append(tqdm(total=args.iters, unit="iter", desc=f"harmonize: pass {stage}", dynamic_ncols=True))
        bars[-1].set_postfix(loss=f"{loss:.5g}")
        bars[-1].update()

    try:
        result = harmonize(painting, composite, mask, multires=args.multires, iters=args.iters,
                           style_level=args.style_level, dilate_px=args.dilate, post=args.post,
                           optimizer=args.optimizer, precision=args.precision, weights=args.weights,
                           callback=progress)
    finally:
        for bar in bars:
            bar.close()
    out = save_image(out, result.image, overwrite=args.overwrite)
    if args.grid:
        from ..core.plots import save_grid

        panels = [("painting", painting), ("composite", composite), ("pass 1", result.stages["pass 1"]),
                  *([("passes", result.stages["passes"])] if args.post != "none" else []), ("result", result.image)]
        save_grid(args.grid, panels, [result.start_loss] + result.losses, overwrite=args.overwrite)
    levels = f" at each of {len(args.multires)} sizes" if args.multires else ""
    print(f"wrote {out}: {composite.shape[1]}x{composite.shape[0]}, two passes of {args.iters} rounds{levels}, final "
          f"loss {result.losses[-1]:.6g}; {result.evaluations} evaluations in {result.seconds:.1f} s, wall "
          f"{time.perf_counter() - started:.1f} s ({describe_precision(result.precision)})")


COMMANDS = {"harmonize": harmonize_command}
