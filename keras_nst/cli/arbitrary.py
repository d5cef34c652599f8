"""``arbitrary-train``: one level's reconstruction decoder trained from the command line on folders
of photos and paintings; ``fast-stylize --style`` and ``transfer --init arbitrary`` use them.

Every path and option is checked before Keras loads.
"""

from ..arbitrary.defaults import BATCH_SIZE, CROP, FEATURE_WEIGHT, LEVELS, WIDTHS
from ..core.errors import add_precision_flag
from ..core.runs import WARMUP_HELP, positive, report_run, run_precision


def add_parsers(sub):
    p = sub.add_parser("arbitrary-train", help="train one level's decoder for any painting in one pass "
                       "(fast-stylize --style)")
    p.add_argument("--level", choices=LEVELS, default=LEVELS[-1],
                   help=f"the encoder level the decoder inverts (default {LEVELS[-1]})")
    p.add_argument("--photos", nargs="+", required=True, metavar="SRC",
                   help="folders of photos, photos, or videos (every 8th frame)")
    p.add_argument("--paintings", nargs="+", required=True, metavar="SRC", help="folders of paintings, or paintings")
    p.add_argument("--out", required=True, help="the decoder, *.keras (checkpoints go in OUT.ckpt/)")
    p.add_argument("--epochs", type=int, default=10, help="default 10")
    p.add_argument("--steps-per-epoch", type=int, default=100, help="default 100")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"default {BATCH_SIZE}")
    p.add_argument("--crop", type=int, default=CROP, help=f"training crops in px (default {CROP})")
    p.add_argument("--lr", type=float, default=1e-4, help="Adam's learning rate (default 1e-4)")
    p.add_argument("--lr-final", type=float, default=1e-5, help="cosine annealing ends here (default 1e-5)")
    p.add_argument("--warmup", type=int, default=0, metavar="STEPS", help=WARMUP_HELP)
    p.add_argument("--feature-weight", type=float, default=FEATURE_WEIGHT,
                   help=f"the features' share of the reconstruction loss beside the pixels' "
                        f"(default {FEATURE_WEIGHT:g})")
    p.add_argument("--start", metavar="DECODER",
                   help="a shallower level's trained decoder to start from (its blocks are the new one's tail)")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--overwrite", action="store_true", help="start again, replacing OUT and OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    p.add_argument("--seed", type=int, default=0, help="default 0")
    add_precision_flag(p, "bfloat16 decoder and VGG16", training=True)


def arbitrary_train(args):
    from ..arbitrary.options import REGISTRY, Settings, check_sources
    from ..core.runs import check_run

    args.precision = run_precision(args.out, args.precision, resume=args.resume)
    positive(args.crop, "--crop", integer=True)
    positive(args.feature_weight, "--feature-weight")
    settings = Settings(layer=args.level, widths=WIDTHS, feature_weight=args.feature_weight, crop=args.crop,
                        precision=args.precision)
    run = dict(epochs=args.epochs, steps_per_epoch=args.steps_per_epoch, batch_size=args.batch_size, lr=args.lr,
               lr_final=args.lr_final, time_limit=args.time_limit, resume=args.resume, overwrite=args.overwrite,
               warmup=args.warmup)
    check_run(args.out, data=None, val_fraction=0, **run)
    check_sources(args.photos, "--photos")
    check_sources(args.paintings, "--paintings")
    if args.start is not None:
        REGISTRY.path(args.start, "--start")
    from ..arbitrary.training import train  # Keras loads here, after every check

    history = train(args.photos, args.paintings, args.out, settings=settings, weights=args.weights, seed=args.seed,
                    start=args.start, **run)
    report_run(history, args.out, args.precision)


COMMANDS = {"arbitrary-train": arbitrary_train}
