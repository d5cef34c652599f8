"""``fast-train``: lesson 9's homework, a fast style network (Johnson et al. 2016) trained for one
style image, from the command line. Every option and file is checked before Keras loads."""

from ..core.runs import run_precision
from ..fast_style.defaults import (
    BATCH_SIZE,
    CONTENT_LAYER,
    CONTENT_WEIGHT,
    FILTERS,
    NORMS,
    RES_BLOCKS,
    STYLE_WEIGHT,
    TV_WEIGHT,
    UPSAMPLES,
    VAL_FRACTION,
)
from .flags import style_flags
from .kit import add_training_flags, report_run, run_options


def add_parsers(sub):
    p = sub.add_parser("fast-train", help="train a fast style network (Johnson et al.) for one style image")
    p.add_argument("--style", help="the style image (not needed with --resume)")
    add_training_flags(p, mixed="bfloat16 network and VGG16", batch_size=BATCH_SIZE, val_fraction=VAL_FRACTION)
    p.add_argument("--image-size", type=int, help="random crops of this size (default: the prepared crops' size)")
    p.add_argument("--style-size", type=int, help="longer side of the style image (default: --image-size); larger: "
                                                  "larger brush strokes")
    p.add_argument("--style-weight", type=float, default=STYLE_WEIGHT, help=f"default {STYLE_WEIGHT}")
    p.add_argument("--content-weight", type=float, default=CONTENT_WEIGHT, help=f"default {CONTENT_WEIGHT}")
    p.add_argument("--tv-weight", type=float, default=TV_WEIGHT, help=f"default {TV_WEIGHT}")
    p.add_argument("--content-layer", default=CONTENT_LAYER, help=f"default {CONTENT_LAYER}")
    style_flags(p)
    p.add_argument("--norm", choices=NORMS, default=NORMS[0], help="instance (default) or batch (the paper's)")
    p.add_argument("--upsample", choices=UPSAMPLES, default=UPSAMPLES[0],
                   help="resize: nearest x2 + conv (default, no checkerboard); deconv3/deconv4: transposed conv "
                        "3x3/4x4 stride 2 (the paper's is deconv3)")
    p.add_argument("--filters", type=int, default=FILTERS, help=f"trunk width (default {FILTERS}: 32-64-128)")
    p.add_argument("--res-blocks", type=int, default=RES_BLOCKS, help=f"default {RES_BLOCKS}")
    p.add_argument("--sample", metavar="PHOTO", help="stylised after each epoch (default: a held-out crop)")


def fast_train(args):
    from ..fast_style.options import Settings, check

    args.precision = run_precision(args.out, args.precision, resume=args.resume)
    settings = Settings(style=args.style, style_size=args.style_size, norm=args.norm, upsample=args.upsample,
                        filters=args.filters, n_res=args.res_blocks, style_layers=tuple(args.style_layers),
                        style_layer_weights=None if args.style_weights is None else tuple(args.style_weights),
                        style_weight=args.style_weight, content_layer=args.content_layer,
                        content_weight=args.content_weight, tv_weight=args.tv_weight, precision=args.precision)
    run = dict(image_size=args.image_size, sample=args.sample, **run_options(args))
    check(args.out, settings=settings, data=args.data, **run)
    from ..fast_style.training import train  # Keras loads here, after every check

    report_run(train(args.data, args.out, settings=settings, seed=args.seed, weights=args.weights, **run), args.out,
               args.precision)


COMMANDS = {"fast-train": fast_train}
