"""Command line for lesson 9's super-resolution: ``python -m super_res prepare|train|upscale|evaluate``."""

import argparse
import json
import os
from pathlib import Path

from keras_nst.errors import report_errors


def parser():
    ap = argparse.ArgumentParser(prog="super-res",
                                 description="Perceptual-loss x4 super-resolution (fast.ai lesson 9).")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="photos -> aligned bcolz arrays of 72 and 288 px crops")
    p.add_argument("--src", required=True, help="folder of images, searched recursively")
    p.add_argument("--out", required=True, help="folder for the arrays and manifest.json")
    p.add_argument("--sizes", nargs=2, type=int, default=[72, 288], metavar=("LR", "HR"))
    p.add_argument("--workers", type=int, help="processes (default: all cores)")
    p.add_argument("--limit", type=int, help="use at most N files (after the shuffle)")
    p.add_argument("--crops-per-image", type=int, default=0, metavar="K",
                   help="K random crops per image (random scale too) instead of one centre crop")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--chunk-len", type=int, default=16, help="rows per bcolz chunk; batches are whole chunks")
    p.add_argument("--overwrite", action="store_true", help="replace arrays already in --out (at the end)")
    p = sub.add_parser("train", help="train the x4 network against VGG16 activations")
    p.add_argument("--data", required=True, help="a folder made by prepare")
    p.add_argument("--out", required=True, help="model file, *.keras (checkpoints go in OUT.ckpt/)")
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-final", type=float, default=1e-4, help="cosine annealing ends here")
    p.add_argument("--upsample", choices=["upsample", "deconv"], default="upsample")
    p.add_argument("--loss-layers", nargs="+", default=None, metavar="LAYER",
                   help="default block1_conv2 block2_conv2 block3_conv2 (weighted 0.1 0.8 0.1); "
                        "the lesson's: block2_conv2")
    p.add_argument("--layer-weights", nargs="+", type=float, metavar="W")
    p.add_argument("--pixel-weight", type=float, default=0.0, help="weight of a pixel-MSE term (mixed loss)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="held-out share of chunks (default 0.1)")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--steps-per-epoch", type=int)
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as keras_nst")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--precision", choices=["float32", "mixed"], default="float32",
                   help="mixed: bfloat16 network and VGG, float32 loss (the saved model is float32)")
    p = sub.add_parser("upscale", help="upscale an image x4 with a trained model")
    p.add_argument("--model", required=True)
    p.add_argument("input")
    p.add_argument("output")
    p.add_argument("--tile", type=int, help="process in tiles of N input px (bounded memory)")
    p = sub.add_parser("evaluate", help="PSNR / SSIM / VGG distance, model vs bicubic, on a test folder")
    p.add_argument("--model", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--scale", type=int, default=4, choices=[4])
    p.add_argument("--json", metavar="OUT")
    p.add_argument("--grid", metavar="G.png", help="LR | bicubic | model | HR for up to 4 images")
    p.add_argument("--tile", type=int)
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source for the distance")
    return ap


def _prepare(args):
    from tqdm import tqdm

    from .prepare import prepare

    with tqdm(unit="file", desc="prepare") as bar:
        m = prepare(args.src, args.out, args.sizes, args.workers, args.limit, args.crops_per_image, args.seed,
                    args.chunk_len, args.overwrite, progress=bar)
    print(f"{m['count']} rows of {' and '.join(map(str, m['sizes']))} px in {args.out} "
          f"from {m['count'] // max(1, args.crops_per_image)} images; skipped {len(m['skipped'])}")
    for name, why in m["skipped"]:
        print(f"  skipped {name}: {why}")


def _train(args):
    from .loss import LOSS_LAYERS
    from .train import train

    hist = train(args.data, args.out, args.epochs, args.batch_size, args.lr, args.lr_final, args.upsample,
                 args.loss_layers or LOSS_LAYERS, args.layer_weights, args.pixel_weight, args.resume,
                 args.val_fraction, args.seed, args.weights, args.time_limit, args.steps_per_epoch,
                 args.precision)
    val = f", validation {hist['val_loss'][-1]:.5g}" if "val_loss" in hist else ""
    print(f"final loss {hist['loss'][-1]:.5g}{val}; wrote {args.out}")


def _upscale(args):
    from keras_nst.image_io import check_output, load_image, save_image

    from .upscale import MIN_SIDE, load_model, upscale

    out = check_output(args.output, [args.input])
    lr = load_image(args.input, min_side=MIN_SIDE)
    sr = upscale(load_model(args.model), lr, args.tile)
    save_image(out, sr)
    print(f"{lr.shape[1]}x{lr.shape[0]} -> {sr.shape[1]}x{sr.shape[0]}; wrote {out}")


def _evaluate(args):
    from keras_nst.atomic import atomic_path

    from .evaluate import METHODS, evaluate, save_grid
    from .upscale import load_model

    report, rows = evaluate(load_model(args.model), args.images, args.tile, args.weights)
    print(f"{'image':<24} " + " ".join(f"{m + ' ' + k:>14}" for k in ("psnr", "ssim", "vgg") for m in METHODS))
    for r in report["images"] + [dict(name="MEAN", **report["mean"])]:
        print(f"{r['name']:<24} " + " ".join(f"{r[m][k]:>14.4f}" for k in ("psnr", "ssim", "vgg") for m in METHODS))
    report.update(model=str(args.model), images_dir=str(args.images), scale=args.scale)
    if args.json:
        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(report, indent=1))
    if args.grid:
        save_grid(args.grid, rows)


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parser().parse_args(argv)
    commands = {"prepare": _prepare, "train": _train, "upscale": _upscale, "evaluate": _evaluate}
    return report_errors("super-res", lambda: commands[args.command](args))
