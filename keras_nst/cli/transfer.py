"""``transfer``, ``content``, ``style`` and ``demo``: lesson 8's optimisation-based style transfer
and its experiments from the command line.

Inputs and outputs are checked before Keras loads, so a typo costs a second, not a model build.
"""

import time
from pathlib import Path

from ..core import memory
from ..core.errors import NSTError
from ..core.image_io import (
    check_output,
    fresh_path,
    load_image,
    save_image,
    sized_shape,
)
from ..core.vgg import BYTES_PER_PIXEL
from ..transfer.defaults import CONTENT_RECON_LAYER, TEMPORAL_WEIGHT
from .flags import (
    check_transfer_flags,
    common_flags,
    refuse_video_flags,
    style_flags,
    style_stat_flag,
    transfer_flags,
    video_flags,
)
from .outputs import check_masks, content_names, contents_and_outputs, groups, output, snapshot

DEMO_CONTENT, DEMO_STYLE = "chelsea.png", "hubble_deep_field.jpg"  # shipped inside scikit-image


def add_parsers(sub):
    p = sub.add_parser("transfer", help="paint a content image in the style of another")
    p.add_argument("--content", required=True, nargs="+",
                   help="one image, or several and/or folders: then --out is a folder of NAME.png")
    p.add_argument("--style", required=True, nargs="+", help="one style image, or several to blend")
    p.add_argument("--style-blend", nargs="+", type=float, metavar="W",
                   help="one weight per style image (normalised to sum to 1; default equal)")
    common_flags(p)
    transfer_flags(p)
    video_flags(p, "weight", f"a video --content (.mp4 ...): the temporal term's weight, each frame starting from the "
                             f"last result carried along the optical flow (default {TEMPORAL_WEIGHT:g}; 0: every "
                             "frame on its own, from noise); --iters is per frame")
    p = sub.add_parser("content", help="recreate an image from one layer's activations")
    p.add_argument("--content", required=True)
    common_flags(p)
    p.add_argument("--layer", dest="content_layer", default=CONTENT_RECON_LAYER, help=f"default {CONTENT_RECON_LAYER}")
    p = sub.add_parser("style", help="synthesise a style image's texture from its Gram matrices")
    p.add_argument("--style", required=True)
    common_flags(p)
    style_flags(p)
    style_stat_flag(p)
    p = sub.add_parser("demo", help="offline demo on images shipped with scikit-image")
    common_flags(p, size=256, iters=10)
    transfer_flags(p)


def demo_images():
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return str(folder / DEMO_CONTENT), str(folder / DEMO_STYLE)


def run(args):
    """Run one command; returns [(Result, output path)], one per output image."""
    from tqdm import tqdm

    if args.command == "demo":
        args.content, args.style = demo_images()
        args.command, args.out = "transfer", args.out or fresh_path("keras_nst_demo")
    styles = getattr(args, "style", None) or []
    styles = [Path(s) for s in (styles if isinstance(styles, list) else [styles])]
    style = styles[0] if styles else None
    args.out = output(args)
    if args.command == "transfer":
        contents, outs = contents_and_outputs(args)
    else:  # one input, one output
        contents = [args.content] if args.command == "content" else []
        outs = [check_output(args.out, contents or [style], overwrite=args.overwrite)]
    masks = [m for m in [getattr(args, "mask", None), *(getattr(args, "style_masks", None) or [])] if m]
    inputs = [*contents, *styles, *masks]
    for out in outs:
        check_output(out, masks)
    levels = getattr(args, "multires", None) or [args.size]
    snapshots = {snapshot(out, i): "a --save-every snapshot" for out in outs if args.save_every
                 for i in range(args.save_every, args.iters + 1, args.save_every)}
    for path in snapshots:  # every file the run may write is checked first, snapshots too
        check_output(path, inputs, overwrite=args.overwrite)
    if args.grid:
        from ..core.plots import check_grid

        check_grid(args.grid, inputs, {**snapshots, **{out: "the --out image" for out in outs}},
                   overwrite=args.overwrite)
    # settings, then memory (from the images' headers), before the backend is even imported
    check_transfer_flags(args, len(styles))
    if args.command == "transfer":
        check_masks(args, contents, styles, levels[-1])
        if args.init == "arbitrary":
            from ..arbitrary.options import check_decoders

            if len(styles) > 1:
                raise NSTError("--init arbitrary paints with one --style; leave it out to blend several")
            check_decoders()
    style_size = round(levels[-1] * getattr(args, "style_scale", 1.0))
    shapes = [shape for shape in (sized_shape(p, style_size if p in styles else levels[-1]) for p in inputs if p)
              if shape]
    if shapes:  # unreadable files have none: load_image names their problem next
        memory.check_images([(len(group), *shape) for shape, group in groups(shapes).items()], BYTES_PER_PIXEL)
    images = [load_image(c, levels[-1]) for c in contents]
    style_images = [load_image(s, style_size) for s in styles]  # at their own scale: never grown later
    style_image = style_images[0] if styles else None
    init = _one_pass(args, images, style_image, levels[0]) if getattr(args, "init", None) == "arbitrary" else \
        getattr(args, "init", None)

    from ..core.vgg import deproc, vgg16_avg
    from ..transfer import experiments as ex

    vgg16_avg(args.weights, args.precision)  # weights problems surface before the progress bar starts

    def progress(i, x, loss, batch=(0, 1, [0])):
        bar.set_postfix(loss=f"{loss:.5g}", **({"batch": f"{batch[0] + 1}/{batch[1]}"} if batch[1] > 1 else {}))
        bar.update()
        if args.save_every and (i + 1) % args.save_every == 0:
            for image, member in zip(deproc(x), batch[2]):
                save_image(snapshot(outs[member], i + 1), image, overwrite=args.overwrite)

    common = dict(size=levels[-1], iters=args.iters, seed=args.seed, weights=args.weights, noise_blur=args.noise_blur,
                  optimizer=args.optimizer, precision=args.precision, tv_weight=args.tv_weight, callback=progress)
    batches = len({im.shape for im in images}) or 1
    with tqdm(total=args.iters * len(levels) * batches, unit="iter", desc=args.command, dynamic_ncols=True) as bar:
        if args.command == "transfer":
            blend = {"style_blend": getattr(args, "style_blend", None)} if len(style_images) > 1 else {}
            results = ex.style_transfer_batch(images, style_images if len(style_images) > 1 else style_image,
                                              style_layers=args.style_layers, **blend,
                                              style_weights=args.style_weights, content_weight=args.content_weight,
                                              init=init, content_layer=args.content_layer,
                                              init_blur=args.init_blur, preserve_color=args.preserve_color,
                                              style_scale=args.style_scale, mask=args.mask,
                                              style_masks=args.style_masks, style_stat=args.style_stat,
                                              multires=args.multires, **common)
        elif args.command == "content":
            results = [ex.content_reconstruction(images[0], layer=args.content_layer, **common)]
        else:
            results = [ex.style_reconstruction(style_image, style_layers=args.style_layers,
                                               style_weights=args.style_weights, style_stat=args.style_stat,
                                               **common)]
    outs = [save_image(out, result.image, overwrite=args.overwrite) for result, out in zip(results, outs)]
    if args.grid:
        from ..core.plots import save_grid

        inputs = [("content", images[0])] if len(images) == 1 else []
        panels = inputs + ([("style", style_image)] if style else []) + [
            (out.stem if len(outs) > 1 else "result", r.image) for r, out in list(zip(results, outs))[:5]]
        save_grid(args.grid, panels, [results[0].start_loss] + results[0].losses, overwrite=args.overwrite)
    return list(zip(results, outs))


def _one_pass(args, images, style_image, side):
    """``--init arbitrary``: each content painted in one pass, at the first level's size."""
    from ..arbitrary.inference import one_pass
    from ..core.image_io import resize

    return one_pass([resize(im, side) for im in images], style_image, weights=args.weights, precision=args.precision)


def _summary(done, started):
    import keras

    from ..core.backend import describe_precision

    runs = {id(r.losses): r for r, _ in done}.values()  # images of one batch share a run
    for result, out in done:
        final = f"{result.losses[-1]:.6g}" if result.losses else "n/a (0 iterations)"
        mates = sum(r.losses is result.losses for r, _ in done)
        print(f"wrote {out}: final loss {final}" + (f" (mean over its batch of {mates})" if mates > 1 else ""))
    print(f"{sum(r.evaluations for r in runs)} evaluations; optimisation {sum(r.seconds for r in runs):.1f} s, "
          f"wall {time.perf_counter() - started:.1f} s ({keras.backend.backend()} backend, "
          f"{describe_precision(done[0][0].precision)}, weights: {done[0][0].weights_source})")


def transfer_command(args):
    from ..core.video import is_video

    started = time.perf_counter()
    contents = content_names(args)[0] if args.command == "transfer" else []
    if any(map(is_video, contents)):
        from .transfer_video import transfer_video

        return transfer_video(args, started)
    refuse_video_flags(args, "for a video --content only")
    return _summary(run(args), started)


COMMANDS = {name: transfer_command for name in ("transfer", "content", "style", "demo")}
