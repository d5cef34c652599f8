"""Exported networks against Keras, in one run: per network and format, the file's size, the PSNR of
its runtime's result against the Keras network's, and the runtime's time beside Keras' at one size.

Each network is exported as ``keras-nst export`` / ``super-res export`` do (``core.export``, checked
on the usual photo), then a photo of ``--size`` (the result's size; the x4 networks get a quarter of
it) runs through Keras (``core.backend.predict``, float32) and through each file's runtime
(onnxruntime, the LiteRT interpreter, TensorFlow for a SavedModel), the minimum of ``--repeats``
rounds that run each once in turn, after a warm-up. One JSON line per network and format, then a Markdown table.

    python benchmarks/export_bench.py                                  # every shipped network, ONNX + LiteRT
    python benchmarks/export_bench.py --models starry_night psnr --formats onnx litert savedmodel
"""

import argparse
import functools
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from keras_nst.core.defaults import EXPORT_FORMATS  # noqa: E402
from keras_nst.fast_style.defaults import MODELS as STYLES  # noqa: E402
from super_res.defaults import MODELS as SR_MODELS  # noqa: E402
from super_res.defaults import SCALE  # noqa: E402


def args_():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", nargs="+", default=[*STYLES, *SR_MODELS], choices=[*STYLES, *SR_MODELS])
    ap.add_argument("--formats", nargs="+", default=["onnx", "litert"], choices=list(EXPORT_FORMATS))
    ap.add_argument("--size", default="1024x768", help="WxH of the result (default 1024x768)")
    ap.add_argument("--repeats", type=int, default=3)
    return ap.parse_args()


def interleaved(fns, batch, repeats):
    """The minimum time of each of ``fns`` on ``batch`` over ``repeats`` rounds that call each once in
    turn (a load from elsewhere falls on all alike), after a warm-up; and their last results."""
    results = [fn(batch) for fn in fns]  # warm-up: graphs traced, memory planned
    times = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            results[i] = fn(batch)
            times[i].append(time.perf_counter() - started)
    return [min(t) for t in times], results


def main():
    args = args_()
    import skimage.data

    from keras_nst.core.backend import predict
    from keras_nst.core.export import check_format, check_photo, export_network, psnr, runner
    from keras_nst.fast_style.inference import load_style_model
    from super_res.upscale import load_model

    for fmt in args.formats:
        check_format(fmt)
    w, h = map(int, args.size.split("x"))
    rows, sizes = [], {}
    with tempfile.TemporaryDirectory() as folder:
        for name in args.models:
            scale = SCALE if name in SR_MODELS else 1
            model = (load_model if scale > 1 else load_style_model)(name, precision="float32")
            photo = np.asarray(Image.fromarray(skimage.data.coffee()).resize((w // scale, h // scale), Image.LANCZOS))
            batch = np.ascontiguousarray(photo[None], "float32")
            files = {}
            for fmt in args.formats:
                files[fmt] = Path(folder) / f"{name}{EXPORT_FORMATS[fmt] or '_savedmodel'}"
                sizes[name, fmt] = export_network(model, files[fmt], fmt=fmt, photo=check_photo(scale=scale)).bytes
            fns = [functools.partial(predict, model)] + [runner(files[fmt], fmt) for fmt in args.formats]
            (keras_s, *run_s), (reference, *results) = interleaved(fns, batch, args.repeats)
            for fmt, seconds, result in zip(args.formats, run_s, results):
                row = dict(model=name, format=fmt, size=f"{w}x{h}", mb=round(sizes[name, fmt] / 1e6, 2),
                           psnr_db=round(psnr(result, reference), 1), runtime_s=round(seconds, 3),
                           keras_s=round(keras_s, 3), speedup=round(keras_s / seconds, 2))
                print(json.dumps(row), flush=True)
                rows.append(row)
    print(f"\n{platform.processor() or platform.machine()}, {os.cpu_count()} cores, float32, result {w}x{h}\n")
    print("| network | format | MB | PSNR vs Keras | runtime s | Keras s |\n|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['model']} | {r['format']} | {r['mb']:.1f} | {r['psnr_db']:.1f} dB | {r['runtime_s']:.2f} | "
              f"{r['keras_s']:.2f} |")


if __name__ == "__main__":
    main()
