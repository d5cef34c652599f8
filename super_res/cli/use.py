"""``upscale`` and ``evaluate``: lesson 9's super-resolution networks applied and scored.

Options and paths are checked before Keras loads; a user error is one line and exit status 2.
"""

import json
import time
from pathlib import Path

from keras_nst.cli.kit import add_overwrite_flag, add_precision_flag
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import names_folder, plan_outputs
from keras_nst.core.tiles import MIN_SIDE

from ..defaults import MODELS, SCALE, SCALES

SELF_ENSEMBLE_HELP = ("outputs averaged over the 8 flips and rotations of the input (EDSR+): "
                      "a little more PSNR, 8x the time")


def _tile(text):
    return text if text == "auto" else int(text)


def add_parsers(sub):
    p = sub.add_parser("upscale", help="upscale images x4 (or x2, x3) with a shipped or trained model")
    p.add_argument("inputs", nargs="+", metavar="IN", help="images and/or folders of images")
    p.add_argument("--model", default=MODELS[0],
                   help=f"a shipped model ({', '.join(MODELS)}; default {MODELS[0]}) or a .keras file")
    p.add_argument("--out", help="output image (one input) or folder (several, or a folder already); default: "
                                 "NAME_x4.png (x2, x3 with --scale) in the current folder, never replacing a file")
    add_overwrite_flag(p)
    p.add_argument("--tile", type=_tile, default="auto",
                   help="tiles of N input px (default auto: tiles only when the image would not fit in memory)")
    p.add_argument("--self-ensemble", action="store_true", help=SELF_ENSEMBLE_HELP)
    p.add_argument("--scale", type=int, default=SCALE, choices=SCALES,
                   help="output size factor (default 4, the networks' own; 2 and 3 bring their x4 result down)")
    add_precision_flag(p, "the network's body computes in bfloat16, its head in float32")
    p = sub.add_parser("evaluate", help="PSNR / SSIM (Y and RGB) / VGG distance: models vs bicubic on a test folder")
    p.add_argument("--model", nargs="+", default=list(MODELS), metavar="M",
                   help="shipped model names and/or .keras files (default: both shipped models)")
    p.add_argument("--images", required=True)
    p.add_argument("--scale", type=int, default=SCALE, choices=SCALES,
                   help="degrade the test images by this factor (default 4; 2 and 3: the papers' other tables)")
    p.add_argument("--json", metavar="OUT")
    p.add_argument("--grid", metavar="G.png", help="LR | bicubic | models | HR for up to 4 images")
    add_overwrite_flag(p)
    p.add_argument("--tile", type=_tile, default="auto")
    p.add_argument("--self-ensemble", action="store_true",
                   help="also score each model as MODEL+, " + SELF_ENSEMBLE_HELP)
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source for the distance")


def _upscale_plan(args):
    """(input paths, output paths), all checked before Keras loads."""
    from ..options import check_model, check_tile

    check_tile(args.tile)
    check_model(args.model)
    def name(p):
        return f"{p.stem}_x{args.scale}"

    return plan_outputs(args.inputs, args.out, file_stem=name, folder_stem=name,
                        default_folder=f"upscaled_x{args.scale}", min_side=MIN_SIDE, overwrite=args.overwrite)


def upscale_command(args):
    from tqdm import tqdm

    from keras_nst.core.image_io import keeps_alpha, readable, save_image, taken

    inputs, outs = _upscale_plan(args)
    from keras_nst.core.backend import describe_precision, resolve_precision  # Keras loads here, after every check

    from ..upscale import auto_tile, load_model, upscale, upscale_alpha

    model = load_model(args.model, precision=args.precision)
    made = names_folder(args.out) or len(outs) > 1  # NAME_x4.png in a folder: the tool's names, not the user's
    started = time.perf_counter()
    with tqdm(total=len(inputs), unit="image", desc="upscale", dynamic_ncols=True) as bar:
        for path, out, lr, alpha in readable(zip(inputs, outs), min_side=MIN_SIDE, bar=bar):
            tile = auto_tile(*lr.shape[:2], alpha=alpha is not None) if args.tile == "auto" else args.tile
            tiled = bool(tile) and max(lr.shape[:2]) > tile  # a long one: a second bar counts its tiles
            with tqdm(unit="tile", desc=f"{path.name} in {tile} px tiles", leave=False, disable=not tiled) as tiles:
                options = dict(tile=tile if tiled else None, self_ensemble=args.self_ensemble, scale=args.scale,
                               progress=tiles if tiled else None)
                sr = upscale(model, lr, **options)
                if alpha is not None:
                    alpha = upscale_alpha(model, alpha, **options)
            written = save_image(out, sr, alpha=alpha, overwrite=args.overwrite, made=made)
            kept = ", transparency kept" if alpha is not None and keeps_alpha(written) else ""
            bar.write(f"{path}: {lr.shape[1]}x{lr.shape[0]} -> {sr.shape[1]}x{sr.shape[0]}{kept}; wrote {written}"
                      f"{taken(out, written)}")
            bar.update()
    plus = ", self-ensemble" if args.self_ensemble else ""
    print(f"{len(inputs)} image(s) in {time.perf_counter() - started:.1f} s with {Path(args.model).stem}{plus} "
          f"({describe_precision(resolve_precision(args.precision))})")


def evaluate_command(args):
    from keras_nst.core.image_io import write_output
    from keras_nst.core.plots import check_grid

    from ..options import check_model, check_tile, eval_images

    check_tile(args.tile)
    if args.json and not Path(args.json).resolve().parent.is_dir():
        raise NSTError(f"{args.json}: folder {Path(args.json).parent} does not exist")
    if args.json and Path(args.json).exists() and not args.overwrite:
        raise NSTError(f"{args.json}: already exists; pass --overwrite to replace it, or choose another --json")
    if args.grid:
        check_grid(args.grid, outputs={args.json: "the --json report"}, overwrite=args.overwrite)
    names = [m if m in MODELS else check_model(m).stem for m in args.model]
    if len(set(names)) != len(names):
        raise NSTError(f"two models would be reported under one name: {names}")
    eval_images(args.images)
    from ..evaluate import KEYS, evaluate, save_grid  # Keras loads here, after every check
    from ..upscale import load_model

    models = {name: load_model(m, precision="float32") for name, m in zip(names, args.model)}  # scores as trained
    report, rows = evaluate(models, args.images, tile=args.tile, vgg_weights=args.weights,
                            self_ensemble=args.self_ensemble, scale=args.scale)
    methods = report["methods"]
    print(f"{'image':<20} " + " ".join(f"{k:>8}:{m[:10]:<10}" for k in KEYS for m in methods))
    for r in report["images"] + [dict(name="MEAN", **report["mean"])]:
        print(f"{r['name'][:20]:<20} " + " ".join(f"{r[m][k]:>19.4f}" for k in KEYS for m in methods))
    report.update(models=dict(zip(names, map(str, args.model))), images_dir=str(args.images), scale=args.scale)
    if args.json:
        write_output(args.json, lambda tmp: Path(tmp).write_text(json.dumps(report, indent=1)),
                     overwrite=args.overwrite)
    if args.grid:
        save_grid(args.grid, rows, methods, report["images"], overwrite=args.overwrite)


COMMANDS = {"upscale": upscale_command, "evaluate": evaluate_command}
