"""Command line for lesson 9's super-resolution: ``python -m super_res upscale|prepare|train|evaluate``.

Options and paths are checked before Keras loads; a user error is one line and exit status 2.
"""

import argparse
import json
import time
from pathlib import Path

from keras_nst.core.defaults import LOSS_LAYERS, PIXEL_LOSSES, PRECISIONS, WARMUP_HELP
from keras_nst.core.errors import NSTError, cli_main
from keras_nst.core.image_io import plan_outputs

from .defaults import ARCHS, BACK_PROJECTION, DISTILL_WEIGHT, MIN_SIDE, MODELS, N_RES, SCALE, SCALES, UPSAMPLES

SELF_ENSEMBLE_HELP = ("outputs averaged over the 8 flips and rotations of the input (EDSR+): "
                      "~0.1-0.15 dB more, 8x the time")


def _tile(text):
    return text if text == "auto" else int(text)


def parser():
    ap = argparse.ArgumentParser(prog="super-res",
                                 description="Perceptual-loss x4 super-resolution (fast.ai lesson 9).")
    ap.add_argument("--verbose", action="store_true", help="also show the Keras backend's own start-up messages")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("upscale", help="upscale images x4 (or x2, x3) with a shipped or trained model")
    p.add_argument("inputs", nargs="+", metavar="IN", help="images and/or folders of images")
    p.add_argument("--model", default=MODELS[0],
                   help=f"a shipped model ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file")
    p.add_argument("--out", help="output image (one input) or folder (several, or a folder already); default: "
                                 "NAME_x4.png (x2, x3 with --scale) in the current folder, never replacing a file")
    p.add_argument("--tile", type=_tile, default="auto",
                   help="tiles of N input px (default auto: tiles only when the image would not fit in memory)")
    p.add_argument("--self-ensemble", action="store_true", help=SELF_ENSEMBLE_HELP)
    p.add_argument("--scale", type=int, default=SCALE, choices=SCALES,
                   help="output size factor (default 4, the networks' own; 2 and 3 bring their x4 result down)")
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
    p.add_argument("--data", required=True, help="a folder made by prepare")
    p.add_argument("--out", required=True, help="model file, *.keras (checkpoints go in OUT.ckpt/)")
    p.add_argument("--arch", choices=ARCHS, default=ARCHS[0],
                   help="residual: bicubic + a learned residual, no BatchNorm (default); course: the lesson's net")
    p.add_argument("--upsample", choices=UPSAMPLES, default=UPSAMPLES[0])
    p.add_argument("--n-res", type=int,
                   help=f"res blocks in the body (default: the --init-from model's, else {N_RES}, the lesson's); "
                        "with --init-from a model with fewer, the new blocks start as the identity")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-final", type=float, default=1e-4, help="cosine annealing ends here")
    p.add_argument("--warmup", type=int, default=0, metavar="STEPS", help=WARMUP_HELP)
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
    p.add_argument("--val-fraction", type=float, default=0.1, help="held-out share of chunks (default 0.1)")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--steps-per-epoch", type=int)
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--overwrite", action="store_true", help="start again, replacing OUT and OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as keras_nst")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--augment", action="store_true",
                   help="turn each training pair by one of the 8 flips and 90-degree rotations at random (EDSR's "
                        "augmentation: 8x the crops; the held-out pairs stay as they are)")
    p.add_argument("--precision", choices=list(PRECISIONS), default="float32",
                   help="mixed: bfloat16 network and VGG, float32 loss (the saved model is float32)")
    p.add_argument("--data-parallel", action="store_true",
                   help="split each batch across all devices (Keras' DataParallel; KERAS_BACKEND=jax)")
    p = sub.add_parser("evaluate", help="PSNR / SSIM (Y and RGB) / VGG distance: models vs bicubic on a test folder")
    p.add_argument("--model", nargs="+", default=list(MODELS), metavar="M",
                   help="shipped model names and/or .keras files (default: both shipped models)")
    p.add_argument("--images", required=True)
    p.add_argument("--scale", type=int, default=SCALE, choices=SCALES,
                   help="degrade the test images by this factor (default 4; 2 and 3: the papers' other tables)")
    p.add_argument("--json", metavar="OUT")
    p.add_argument("--grid", metavar="G.png", help="LR | bicubic | models | HR for up to 4 images")
    p.add_argument("--tile", type=_tile, default="auto")
    p.add_argument("--self-ensemble", action="store_true",
                   help="also score each model as MODEL+, " + SELF_ENSEMBLE_HELP)
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source for the distance")
    return ap


def _prepare(args):
    from tqdm import tqdm

    from .prepare import check, prepare

    options = dict(sizes=args.sizes, workers=args.workers, limit=args.limit, crops_per_image=args.crops_per_image,
                   chunklen=args.chunk_len, overwrite=args.overwrite)
    check(args.src, args.out, **options)  # before the progress bar opens
    with tqdm(unit="file", desc="prepare") as bar:
        m = prepare(args.src, args.out, seed=args.seed, progress=bar, **options)
    print(f"{m['count']} rows of {' and '.join(map(str, m['sizes']))} px in {args.out} "
          f"from {m['count'] // max(1, args.crops_per_image)} images; skipped {len(m['skipped'])}")
    for name, why in m["skipped"]:
        print(f"  skipped {name}: {why}")


def _train(args):
    from .options import Settings, check

    settings = Settings(arch=args.arch, upsample=args.upsample, n_res=args.n_res, precision=args.precision,
                        feature_weight=args.feature_weight, loss_layers=tuple(args.loss_layers),
                        layer_weights=None if args.layer_weights is None else tuple(args.layer_weights),
                        pixel_weight=args.pixel_weight, pixel_loss=args.pixel_loss, distill_from=args.distill_from,
                        distill_weight=args.distill_weight, back_projection=args.back_projection,
                        train_back_projected=args.train_back_projected)
    run = dict(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, lr_final=args.lr_final,
               val_fraction=args.val_fraction, time_limit=args.time_limit, steps_per_epoch=args.steps_per_epoch,
               resume=args.resume, overwrite=args.overwrite, init_from=args.init_from, warmup=args.warmup)
    check(args.out, settings=settings, data=args.data, **run)
    from .train import train  # Keras loads here, after every check

    hist = train(args.data, args.out, settings=settings, seed=args.seed, weights=args.weights,
                 data_parallel=args.data_parallel, augment=args.augment, **run)
    val = f", validation {hist['val_loss'][-1]:.5g}" if "val_loss" in hist else ""
    print(f"final loss {hist['loss'][-1]:.5g}{val}; wrote {args.out}")


def _upscale_plan(args):
    """(input paths, output paths), all checked before Keras loads."""
    from .options import check_model, check_tile

    check_tile(args.tile)
    check_model(args.model)
    def name(p):
        return f"{p.stem}_x{args.scale}"

    return plan_outputs(args.inputs, args.out, file_stem=name, folder_stem=name,
                        default_folder=f"upscaled_x{args.scale}", min_side=MIN_SIDE)


def _upscale(args):
    from tqdm import tqdm

    from keras_nst.core.image_io import keeps_alpha, load_with_alpha, save_image

    inputs, outs = _upscale_plan(args)
    from .upscale import auto_tile, load_model, upscale, upscale_alpha  # Keras loads here, after every check

    model = load_model(args.model)
    started = time.perf_counter()
    with tqdm(total=len(inputs), unit="image", desc="upscale", dynamic_ncols=True) as bar:
        for path, out in zip(inputs, outs):
            lr, alpha = load_with_alpha(path, min_side=MIN_SIDE)
            tile = auto_tile(*lr.shape[:2], alpha=alpha is not None) if args.tile == "auto" else args.tile
            tiled = bool(tile) and max(lr.shape[:2]) > tile  # a long one: a second bar counts its tiles
            with tqdm(unit="tile", desc=f"{path.name} in {tile} px tiles", leave=False, disable=not tiled) as tiles:
                options = dict(tile=tile if tiled else None, self_ensemble=args.self_ensemble, scale=args.scale,
                               progress=tiles if tiled else None)
                sr = upscale(model, lr, **options)
                if alpha is not None:
                    alpha = upscale_alpha(model, alpha, **options)
            save_image(out, sr, alpha=alpha)
            kept = ", transparency kept" if alpha is not None and keeps_alpha(out) else ""
            bar.write(f"{path}: {lr.shape[1]}x{lr.shape[0]} -> {sr.shape[1]}x{sr.shape[0]}{kept}; wrote {out}")
            bar.update()
    plus = ", self-ensemble" if args.self_ensemble else ""
    print(f"{len(inputs)} image(s) in {time.perf_counter() - started:.1f} s with {Path(args.model).stem}{plus}")


def _evaluate(args):
    from keras_nst.core.atomic import atomic_path
    from keras_nst.core.plots import check_figure

    from .options import check_model, check_tile, eval_images

    check_tile(args.tile)
    for out in filter(None, (args.json, args.grid)):
        if not Path(out).resolve().parent.is_dir():
            raise NSTError(f"{out}: folder {Path(out).parent} does not exist")
    if args.grid:
        check_figure(args.grid)
    names = [m if m in MODELS else check_model(m).stem for m in args.model]
    if len(set(names)) != len(names):
        raise NSTError(f"two models would be reported under one name: {names}")
    eval_images(args.images)
    from .evaluate import KEYS, evaluate, save_grid  # Keras loads here, after every check
    from .upscale import load_model

    models = {name: load_model(m) for name, m in zip(names, args.model)}
    report, rows = evaluate(models, args.images, tile=args.tile, vgg_weights=args.weights,
                            self_ensemble=args.self_ensemble, scale=args.scale)
    methods = report["methods"]
    print(f"{'image':<20} " + " ".join(f"{k:>8}:{m[:10]:<10}" for k in KEYS for m in methods))
    for r in report["images"] + [dict(name="MEAN", **report["mean"])]:
        print(f"{r['name'][:20]:<20} " + " ".join(f"{r[m][k]:>19.4f}" for k in KEYS for m in methods))
    report.update(models=dict(zip(names, map(str, args.model))), images_dir=str(args.images), scale=args.scale)
    if args.json:
        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(report, indent=1))
    if args.grid:
        save_grid(args.grid, rows, methods)


def main(argv=None):
    commands = {"prepare": _prepare, "train": _train, "upscale": _upscale, "evaluate": _evaluate}
    return cli_main("super-res", parser(), lambda args: commands[args.command](args), argv)
