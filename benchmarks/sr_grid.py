"""The screen-door grid of a perceptual SR network, measured: ``evaluate``'s grid figure for each
model on unseen photos, and when the grid appeared in the shipped ``perceptual``'s history.

Each photo (its longer side brought to --size when larger) is cropped to a multiple of 4, shrunk x4
(bicubic), upscaled by bicubic and by each model; the grid figure (``super_res.evaluate.grid_figure``)
is the result's periodic power along the axes over the photo's own: 1 is the photo's level.
``--layers`` says which layer of the perceptual loss rewards a grid. ``--history`` scores every
committed version of ``super_res/models/perceptual.keras`` (from git) the same way. ``--out``
writes one photo's crop at native size: HR | bicubic | each model.

    KERAS_BACKEND=torch python benchmarks/sr_grid.py --history --photos ../shared/data/content --out docs/sr_grid.png
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_nst.core.image_io import find_images, load_image, save_image  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL_FILE = "super_res/models/perceptual.keras"


def scores(models, pairs):
    from super_res.evaluate import bicubic, grid_figure
    from super_res.upscale import upscale

    shave = lambda a: a[4:-4, 4:-4]
    out = {"bicubic": [grid_figure(shave(bicubic(lr)), shave(hr)) for hr, lr in pairs]}
    for name, model in models.items():
        out[name] = [grid_figure(shave(upscale(model, lr)), shave(hr)) for hr, lr in pairs]
    return out


def history(pairs):
    from super_res.upscale import load_model

    log = subprocess.run(["git", "log", "--reverse", "--format=%h %ad", "--date=short", "--", MODEL_FILE],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.splitlines()
    with tempfile.TemporaryDirectory() as tmp:
        for line in log:
            commit = line.split()[0]
            path = Path(tmp) / f"{commit}.keras"
            path.write_bytes(subprocess.run(["git", "show", f"{commit}:{MODEL_FILE}"], cwd=ROOT, capture_output=True,
                                            check=True).stdout)
            got = scores({commit: load_model(path)}, pairs)[commit]
            print(f"{line}: grid figure median {np.median(got):.2f} ({' '.join(f'{g:.2f}' for g in got)})", flush=True)


def layers(models, pairs):
    """Which VGG16 layer of the perceptual loss rewards a grid: each layer's distance to the photo, as
    a ratio to bicubic's, of each model's results and of ``psnr``'s with faint stripes (2 grey levels,
    period 3 and 4 px, along both axes) added."""
    from keras_nst.core.vgg import feature_model, preproc, vgg16_avg
    from super_res.defaults import LOSS_LAYER_WEIGHTS, LOSS_LAYERS
    from super_res.evaluate import bicubic
    from super_res.upscale import upscale

    net = feature_model(vgg16_avg("auto"), LOSS_LAYERS)
    feats = lambda im: [np.asarray(f) for f in net(preproc(np.asarray(im, "float32"))[None])]
    ratios = {}
    for hr, lr in pairs:
        h, w = hr.shape[:2]
        outs = {"bicubic": bicubic(lr), **{n: upscale(m, lr) for n, m in models.items()}}
        for period in (3, 4):
            x, y = np.arange(w) / period, np.arange(h)[:, None] / period
            stripes = 2 * np.sin(2 * np.pi * x) + 2 * np.sin(2 * np.pi * y)
            outs[f"psnr + period-{period} stripes"] = np.clip(outs["psnr"] + stripes[..., None], 0, 255)
        ref = feats(hr)
        dist = {k: [float(np.mean((a - b) ** 2)) for a, b in zip(feats(v), ref)] for k, v in outs.items()}
        for k, d in dist.items():
            ratios.setdefault(k, []).append([x / y for x, y in zip(d, dist["bicubic"])])
    print("per-layer VGG distance / bicubic's: " + ", ".join(f"{n} (weight {w})" for n, w in
                                                            zip(LOSS_LAYERS, LOSS_LAYER_WEIGHTS)))
    for k, r in ratios.items():
        print(f"  {k:<24} " + " ".join(f"{v:.3f}" for v in np.mean(r, axis=0)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", nargs="+", default=["psnr", "perceptual"])
    ap.add_argument("--photos", nargs="+", default=["../shared/data/content", "../shared/data/sr/eval/Set5"],
                    help="folders and/or images")
    ap.add_argument("--size", type=int, default=1024, help="photos larger than this are brought down to it first")
    ap.add_argument("--history", action="store_true", help="also every committed version of perceptual")
    ap.add_argument("--layers", action="store_true", help="also which loss layer rewards a grid (needs psnr)")
    ap.add_argument("--out", help="a crop at native size of the first photo: HR | bicubic | each model")
    args = ap.parse_args()

    from super_res.evaluate import bicubic, degrade
    from super_res.upscale import load_model, upscale

    paths = [p for name in args.photos for p in (find_images(name) if Path(name).is_dir() else [Path(name)])]
    pairs = [degrade(load_image(p, args.size, grow=False)) for p in paths]
    models = {m: load_model(m) for m in args.models}
    table = scores(models, pairs)
    for name, got in table.items():
        print(f"{name:<12} grid figure median {np.median(got):.2f}, mean {np.mean(got):.2f} "
              f"({' '.join(f'{p.stem} {g:.2f}' for p, g in zip(paths, got))})")
    if args.layers:
        layers(models, pairs)
    if args.history:
        history(pairs)
    if args.out:
        hr, lr = pairs[0]
        y, x = hr.shape[0] // 2, hr.shape[1] // 2
        crop = lambda a: a[y - 128:y + 128, x - 128:x + 128]
        panels = [crop(hr), crop(bicubic(lr))] + [crop(upscale(m, lr)) for m in models.values()]
        gap = np.full((256, 4, 3), 255, np.uint8)  # native pixels, side by side: a grid shows as it would
        save_image(args.out, np.concatenate([part for p in panels for part in (p, gap)][:-1], axis=1))
        print(f"wrote {args.out}: HR | bicubic | {' | '.join(models)} ({paths[0].name}, centre 256 px)")


if __name__ == "__main__":
    main()
