"""``arbitrary-train``: one level's reconstruction decoder trained from the command line on folders
of photos and paintings; ``fast-stylize --style`` and ``transfer --init arbitrary`` use them.

Every path and option is checked before Keras loads.
"""

from ..arbitrary.defaults import BATCH_SIZE, CROP, EPOCHS, FEATURE_WEIGHT, LEVELS, LR, LR_FINAL, STEPS_PER_EPOCH, WIDTHS
from ..core.runs import positive, run_precision
from .kit import add_training_flags, report_run, run_options


def add_parsers(sub):
    p = sub.add_parser("arbitrary-train", help="train one level's decoder for any painting in one pass "
                       "(fast-stylize --style)")
    p.add_argument("--level", choices=LEVELS, default=LEVELS[-1],
                   help=f"the encoder level the decoder inverts (default {LEVELS[-1]})")
    p.add_argument("--photos", nargs="+", required=True, metavar="SRC",
                   help="folders of photos, photos, or videos (every 8th frame)")
    p.add_argument("--paintings", nargs="+", required=True, metavar="SRC", help="folders of paintings, or paintings")
    add_training_flags(p, mixed="bfloat16 decoder and VGG16", batch_size=BATCH_SIZE, epochs=EPOCHS,
                       steps_per_epoch=STEPS_PER_EPOCH, lr=LR, lr_final=LR_FINAL)
    p.add_argument("--crop", type=int, default=CROP, help=f"training crops in px (default {CROP})")
    p.add_argument("--feature-weight", type=float, default=FEATURE_WEIGHT,
                   help=f"the features' share of the reconstruction loss beside the pixels' "
                        f"(default {FEATURE_WEIGHT:g})")
    p.add_argument("--start", metavar="DECODER",
                   help="a shallower level's trained decoder to start from (its blocks are the new one's tail)")


def arbitrary_train(args):
    from ..arbitrary.options import REGISTRY, Settings, check_sources
    from ..core.runs import check_run

    args.precision = run_precision(args.out, args.precision, resume=args.resume)
    positive(args.crop, "--crop", integer=True)
    positive(args.feature_weight, "--feature-weight")
    settings = Settings(layer=args.level, widths=WIDTHS, feature_weight=args.feature_weight, crop=args.crop,
                        precision=args.precision)
    run = run_options(args)
    check_run(args.out, data=None, **run)
    check_sources(args.photos, "--photos")
    check_sources(args.paintings, "--paintings")
    if args.start is not None:
        REGISTRY.path(args.start, "--start")
    from ..arbitrary.training import train  # Keras loads here, after every check

    history = train(args.photos, args.paintings, args.out, settings=settings, weights=args.weights, seed=args.seed,
                    start=args.start, **run)
    report_run(history, args.out, args.precision)


COMMANDS = {"arbitrary-train": arbitrary_train}
