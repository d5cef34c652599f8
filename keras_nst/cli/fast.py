"""``fast-stylize``: lesson 9's fast style transfer from the command line, a trained style or any
painting (``--style``) over photos, folders and videos.

Inputs and outputs are checked before Keras loads, so a typo costs a second, not a model build.
"""

import time
from pathlib import Path

import numpy as np
from PIL import Image

from ..arbitrary.defaults import ALPHA, TRANSFORM, TRANSFORMS
from ..core.errors import NSTError
from ..core.image_io import (
    MIN_SIDE,
    check_output,
    fit,
    fresh_path,
    keeps_alpha,
    load_image,
    names_folder,
    output_folder,
    plan_outputs,
    readable,
    save_image,
    sized_shape,
    taken,
)
from ..core.tiles import MIN_SIDE as MIN_PHOTO_SIDE
from ..fast_style.defaults import (
    HELD_BYTES,
    MODELS,
    SIZE,
    TEMPORAL_BLEND,
)
from ..transfer.defaults import PRESERVE_COLORS
from .flags import numbers_arg, refuse_video_flags, video_flags
from .kit import add_overwrite_flag, add_precision_flag


def add_parsers(sub):
    p = sub.add_parser("fast-stylize", help="stylise photos (or videos) in one pass with a fast style network")
    p.add_argument("inputs", nargs="+", metavar="IN",
                   help="images and/or folders of images; or videos (.mp4 .mov .mkv .m4v .webm .avi), each written "
                        "as NAME_STYLE.mp4 with its sound")
    p.add_argument("--model", action="append",
                   help=f"a shipped style ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file; with --style, "
                        "an arbitrary-style decoder, the flag repeated for one a level (default: the shipped ones)")
    p.add_argument("--style", metavar="PAINTING",
                   help="any painting instead of a trained style: one pass, coarse to fine, of the decoders and a "
                        "closed-form transform per level; outputs are named NAME_PAINTING")
    p.add_argument("--alpha", type=numbers_arg, metavar="A[,A...]",
                   help=f"with --style: 0 keeps the photo's features, 1 takes the painting's statistics; one "
                        f"number, or one a level, deepest first, e.g. 0.6,1,1 (default {ALPHA:g})")
    p.add_argument("--transform", choices=TRANSFORMS,
                   help=f"with --style: whitening-colouring (wct), optimal transport (ot) or per-channel mean "
                        f"and spread (adain); default {TRANSFORM}")
    p.add_argument("--out", help="output image or video (one input) or folder (several); default: NAME_STYLE.png "
                                 "(.mp4), or a styled_STYLE folder, in the current folder, never replacing a file")
    add_overwrite_flag(p)
    p.add_argument("--size", type=int, metavar="N",
                   help=f"the longer side in px the network runs at, the photo resized to it first: strokes of one "
                        f"size on any photo (default: {SIZE} for larger photos, smaller ones as they are; 0: "
                        "the photo's own size)")
    p.add_argument("--keep-size", action="store_true", help="resize the result back to the photo's own size")
    p.add_argument("--preserve-color", choices=PRESERVE_COLORS[:1],
                   help="luminance: keep the photo's colours (chroma), take only the style's light and texture")
    p.add_argument("--tile", type=int, help="stylise in overlapping tiles of N px (default: only when the photo "
                                            "would not fit in memory)")
    video_flags(p, "blend", f"videos: the share of the previous result, carried along the optical flow, kept where "
                            f"the clip moves predictably, so strokes hold still (0: every frame on its own; default "
                            f"{TEMPORAL_BLEND:g}); new content and new shots are styled afresh")
    add_precision_flag(p, "the network computes in bfloat16, its last convolution in float32")


def fast_stylize(args):
    from tqdm import tqdm

    from ..core.video import is_video
    from ..fast_style.options import PLAN

    PLAN.check_tile(args.tile)
    if args.size is not None and args.size != 0 and args.size < MIN_SIDE:
        raise NSTError(f"--size {args.size}: at least {MIN_SIDE} px, or 0 for the photo's own size")
    name = _network_name(args)
    _check_size(args)
    if any(map(is_video, args.inputs)):
        return _stylize_videos(args, name)
    refuse_video_flags(args, "for videos only")
    inputs, outs = plan_outputs(args.inputs, args.out, file_stem=lambda p: f"{p.stem}_{name}",
                                folder_stem=lambda p: p.stem, default_folder=f"styled_{name}", what="photos",
                                min_side=MIN_PHOTO_SIDE, overwrite=args.overwrite)
    from ..fast_style.inference import stylize, working_size  # Keras loads here

    model, auto_tile = _network(args)
    made = names_folder(args.out) or len(outs) > 1  # NAME_STYLE.png in a folder: the tool's names, not the user's
    started = time.perf_counter()
    with tqdm(total=len(inputs), unit="image", desc="fast-stylize", dynamic_ncols=True) as bar:
        for path, out, photo, alpha in readable(zip(inputs, outs), min_side=MIN_PHOTO_SIDE, bar=bar):
            h, w = photo.shape[:2]
            side = working_size(h, w, args.size)
            tile = args.tile or auto_tile(*(fit(w, h, side)[::-1] if side else (h, w)))
            with tqdm(unit="tile", desc=f"{path.name} in {tile} px tiles", leave=False, disable=not tile) as tiles:
                image = stylize(model, photo, size=args.size, keep_size=args.keep_size,
                                preserve_color=args.preserve_color, tile=tile, progress=tiles)
            if alpha is not None and image.shape[:2] != alpha.shape:
                alpha = np.asarray(Image.fromarray(alpha).resize(image.shape[1::-1], Image.LANCZOS))
            written = save_image(out, image, alpha=alpha, overwrite=args.overwrite, made=made)
            kept = ", transparency kept" if alpha is not None and keeps_alpha(written) else ""
            at = f" at {image.shape[1]}x{image.shape[0]}" if image.shape[:2] != (h, w) else ""
            bar.write(f"{path}: {w}x{h}{at}{kept}; wrote {written}{taken(out, written)}")
            bar.update()
    print(f"{len(inputs)} image(s) in {time.perf_counter() - started:.1f} s with {name} ({_precision(args)})")


def _network_name(args):
    """What names the outputs (the style, or --style's painting), every flag of the choice checked
    before Keras loads."""
    from ..arbitrary.options import alphas, check_decoders
    from ..fast_style.options import REGISTRY

    if args.style is None:
        given = [f for f in ("--alpha", "--transform") if getattr(args, f[2:]) is not None]
        if given:
            raise NSTError(f"{', '.join(given)}: for --style PAINTING (any painting in one pass); a trained style has "
                           "none")
        if args.model and len(args.model) > 1:
            raise NSTError("--model given twice: one style network (several decoders go with --style PAINTING)")
        return REGISTRY.path((args.model or MODELS)[0]).stem
    load_image(args.style, min_side=MIN_SIDE)  # readable, not tiny: before any work
    alphas(args.alpha or ALPHA, len(check_decoders(args.model)))
    return Path(args.style).stem


def _network(args):
    """(image network, its ``auto_tile``): a trained style, or a painter made from --style's painting
    by the arbitrary-style decoder, which the fast-style machinery (sizes, tiles, videos) runs alike."""
    if args.style is None:
        from ..fast_style.inference import auto_tile, load_style_model

        return load_style_model((args.model or MODELS)[0], precision=args.precision), auto_tile
    from ..arbitrary.inference import load_decoders, painter
    from ..arbitrary.options import PLAN as ANY_PLAN
    from ..arbitrary.options import check_decoders

    alpha = args.alpha or ALPHA  # one number, or one a level: painter spreads or checks them
    decoders = load_decoders(check_decoders(args.model), precision=args.precision)
    return (painter(decoders, args.style, alpha=alpha, method=args.transform or TRANSFORM,
                    precision=args.precision), ANY_PLAN.auto_tile)


def _check_size(args):
    """--size against memory before anything is decoded: the photo resized to it and its result stay
    whole in memory (the network itself runs in tiles), ``HELD_BYTES`` a pixel; from the headers'
    aspect ratios, or a square for videos and unreadable files (named later)."""
    from ..core.memory import check_images

    if args.size:
        shapes = [sized_shape(p, args.size) for p in args.inputs if Path(p).is_file()]
        check_images([(1, *s) for s in shapes if s] or [(1, args.size, args.size, 3)], HELD_BYTES)


def _precision(args):
    from ..core.backend import describe_precision, resolve_precision

    return describe_precision(resolve_precision(args.precision))


def _video_plan(args, name):
    """(videos, outputs): each video probed (a corrupt one is named now), each output checked like an image's."""
    from ..core.video import OUT_FORMATS, is_video, probe

    if not all(map(is_video, args.inputs)):
        raise NSTError("give videos or photos, not both, in one run")
    if args.tile:
        raise NSTError("--tile: videos are stylised whole, frame by frame; leave it out")
    from ..fast_style.options import check_video

    args.temporal_blend = check_video(temporal_blend=TEMPORAL_BLEND if args.temporal_blend is None
                                      else args.temporal_blend, frames=args.frames)
    for path in args.inputs:
        probe(path)
    videos = [Path(p) for p in args.inputs]
    if len(videos) > 1 and args.out and not names_folder(args.out):
        raise NSTError(f"--out {args.out}: with several videos, --out is a folder (an existing one, or a name "
                       "ending in /)")
    if names_folder(args.out):
        return videos, output_folder(args.out, videos, videos, lambda v: f"{v.stem}_{name}.mp4", "videos",
                                     overwrite=args.overwrite, formats=OUT_FORMATS)
    outs = [Path(args.out)] if args.out else [fresh_path(f"{v.stem}_{name}", ".mp4") for v in videos]
    return videos, [check_output(out, videos, OUT_FORMATS, overwrite=args.overwrite) for out in outs]


def _stylize_videos(args, name):
    from tqdm import tqdm

    videos, outs = _video_plan(args, name)
    from ..fast_style.video import stylize_video  # Keras loads here, after every check

    model, _ = _network(args)
    for video, out in zip(videos, outs):
        started = time.perf_counter()
        with tqdm(unit="frame", desc=video.name, dynamic_ncols=True) as bar:
            out, frames, steadiness = stylize_video(
                model, video, out, size=args.size, keep_size=args.keep_size, preserve_color=args.preserve_color,
                temporal_blend=args.temporal_blend, frames=args.frames, overwrite=args.overwrite, progress=bar)
        seconds = time.perf_counter() - started
        before, after = steadiness.means()
        print(f"{video}: {frames} frames in {seconds:.1f} s ({frames / seconds:.2f} frames/s) with {name} "
              f"({_precision(args)}, --temporal-blend {args.temporal_blend:g}); warping error E_warp: input "
              f"{before:.5f}, result {after:.5f} ({after / max(before, 1e-9):.1f}x the input's); wrote {out}",
              flush=True)


COMMANDS = {"fast-stylize": fast_stylize}
