"""``prepare``, ``train``, ``soup`` and ``drawn``: lesson 9's super-resolution training from the command line.

Options and paths are checked before Keras loads; a user error is one line and exit status 2.
"""

from keras_nst.cli.kit import add_training_flags, report_run, run_options
from keras_nst.core.defaults import PIXEL_LOSSES
from keras_nst.core.runs import run_precision

from ..defaults import (
    ARCHS,
    BACK_PROJECTION,
    BATCH_SIZE,
    DISTILL_WEIGHT,
    LOSS_LAYERS,
    N_RES,
    UPSAMPLES,
    VAL_FRACTION,
)


def add_parsers(sub):
    p = sub.add_parser("prepare", help="photos -> aligned bcolz arrays of 72 and 288 px crops")
    p.add_argument("--src", required=True, help="folder of images, searched recursively")
    p.add_argument("--out", required=True, help="folder for the arrays and manifest.json")
    p.add_argument("--sizes", nargs=2, type=int, default=[72, 288], metavar=("LR", "HR"))
    p.add_argument("--workers", type=int, help="threads (default: all cores)")
    p.add_argument("--limit", type=int, help="use at most N files (after the shuffle)")
    p.add_argument("--crops-per-image", type=int, default=0, metavar="K",
                   help="K random crops per image (random scale too) instead of one centre crop")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunk-len", type=int, default=16, help="rows per bcolz chunk; batches are whole chunks")
    p.add_argument("--overwrite", action="store_true", help="replace arrays already in --out (at the end)")
    p = sub.add_parser("train", help="train the x4 network (pixel and/or VGG16 feature loss)")
    add_training_flags(p, mixed="bfloat16 network and VGG16", batch_size=BATCH_SIZE, val_fraction=VAL_FRACTION)
    p.add_argument("--arch", choices=ARCHS, default=ARCHS[0],
                   help="residual: bicubic + a learned residual, no BatchNorm (default); course: the lesson's net")
    p.add_argument("--upsample", choices=UPSAMPLES, default=UPSAMPLES[0])
    p.add_argument("--n-res", type=int,
                   help=f"res blocks in the body (default: the --init-from model's, else {N_RES}, the lesson's); "
                        "with --init-from a model with fewer, the new blocks start as the identity")
    p.add_argument("--feature-weight", type=float, default=1.0,
                   help="weight of the VGG16 feature (perceptual) loss; 0: pixels only, no VGG16")
    p.add_argument("--loss-layers", nargs="+", default=list(LOSS_LAYERS), metavar="LAYER",
                   help="default block1_conv2 block2_conv2 block3_conv2 (weighted 0.1 0.8 0.1); "
                        "the lesson's: block2_conv2")
    p.add_argument("--layer-weights", nargs="+", type=float, metavar="W")
    p.add_argument("--pixel-weight", type=float, default=0.0, help="weight of the pixel term (default 0)")
    p.add_argument("--pixel-loss", choices=PIXEL_LOSSES, default=PIXEL_LOSSES[0], help="mse (default) or l1")
    p.add_argument("--init-from", metavar="MODEL",
                   help="start from a trained network: a shipped model's name (psnr, perceptual) or a .keras "
                        "file (same --arch; fewer res blocks grow into --n-res)")
    p.add_argument("--distill-from", metavar="MODEL",
                   help="self-ensemble distillation: MODEL's output on each batch turned one of the 8 ways at random, "
                        "turned back, is a second target, pulling the network towards MODEL's --self-ensemble "
                        "(one more forward pass a step)")
    p.add_argument("--distill-weight", type=float, default=DISTILL_WEIGHT, metavar="W",
                   help=f"with --distill-from: W on the teacher's views, 1 - W on the high-res image "
                        f"(default {DISTILL_WEIGHT})")
    p.add_argument("--back-projection", type=int, metavar="N",
                   help="the saved model back-projects its result N times onto the input (Irani & Peleg: brought "
                        "down as the training data were, the difference brought back up and added); default "
                        + ", ".join(f"{n} for --arch {a}" for a, n in BACK_PROJECTION.items())
                        + "; 0: the network alone")
    p.add_argument("--train-back-projected", action="store_true",
                   help="the loss sees the back-projected result in training too (the network leaves the low "
                        "band to back-projection); default: only the saved model has it")
    p.add_argument("--augment", action="store_true",
                   help="turn each training pair by one of the 8 flips and 90-degree rotations at random (EDSR's "
                        "augmentation: 8x the crops; the held-out pairs stay as they are)")
    p.add_argument("--data-parallel", action="store_true",
                   help="split each batch across all devices (Keras' DataParallel; KERAS_BACKEND=jax)")
    p = sub.add_parser("soup", help="average (or extrapolate) the weights of networks fine-tuned from one start")
    p.add_argument("models", nargs="+", help="shipped names or .keras files of one architecture")
    p.add_argument("--out", required=True, help="the .keras file to write (never an existing one)")
    p.add_argument("--weights", nargs="+", type=float, metavar="W",
                   help="one per model, summing to 1 (default: equal); 2 -1 of NEW OLD extrapolates NEW + (NEW - OLD)")
    p = sub.add_parser("drawn", help="drawn training pictures (text, shapes, flat fills) to prepare beside photos")
    p.add_argument("--out", required=True, help="a new folder for the pictures")
    p.add_argument("--count", type=int, default=45, help="how many (default 45)")
    p.add_argument("--size", type=int, default=512, help="side in px (default 512)")
    p.add_argument("--seed", type=int, default=0)


def prepare_command(args):
    from tqdm import tqdm

    from ..prepare import check, prepare

    options = dict(sizes=args.sizes, workers=args.workers, limit=args.limit, crops_per_image=args.crops_per_image,
                   chunklen=args.chunk_len, overwrite=args.overwrite)
    check(args.src, args.out, **options)  # before the progress bar opens
    with tqdm(unit="file", desc="prepare") as bar:
        m = prepare(args.src, args.out, seed=args.seed, progress=bar, **options)
    print(f"{m['count']} rows of {' and '.join(map(str, m['sizes']))} px in {args.out} "
          f"from {m['count'] // max(1, args.crops_per_image)} images; skipped {len(m['skipped'])}")
    for name, why in m["skipped"]:
        print(f"  skipped {name}: {why}")


def train_command(args):
    from ..options import Settings, check

    args.precision = run_precision(args.out, args.precision, resume=args.resume)
    settings = Settings(arch=args.arch, upsample=args.upsample, n_res=args.n_res, precision=args.precision,
                        feature_weight=args.feature_weight, loss_layers=tuple(args.loss_layers),
                        layer_weights=None if args.layer_weights is None else tuple(args.layer_weights),
                        pixel_weight=args.pixel_weight, pixel_loss=args.pixel_loss, distill_from=args.distill_from,
                        distill_weight=args.distill_weight, back_projection=args.back_projection,
                        train_back_projected=args.train_back_projected)
    run = dict(init_from=args.init_from, **run_options(args))
    check(args.out, settings=settings, data=args.data, **run)
    from ..train import train  # Keras loads here, after every check

    report_run(train(args.data, args.out, settings=settings, seed=args.seed, weights=args.weights,
                     data_parallel=args.data_parallel, augment=args.augment, **run), args.out, args.precision)


def soup_command(args):
    from ..soup import check, soup

    check(args.models, args.out, args.weights)  # before Keras loads
    coefs = soup(args.models, args.out, args.weights)
    print(f"wrote {args.out}: {' + '.join(f'{c:g} x {m}' for c, m in zip(coefs, args.models))}")


def drawn_command(args):
    from ..drawn import write_drawn

    out = write_drawn(args.out, count=args.count, size=args.size, seed=args.seed)
    print(f"{args.count} pictures of {args.size} px in {out}")


COMMANDS = {"prepare": prepare_command, "train": train_command, "soup": soup_command, "drawn": drawn_command}
