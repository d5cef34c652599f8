"""Peak memory and time of one forward pass of a trained feed-forward network, in one run.

The baseline is the eager call ``model(x, training=False)``, which keeps every activation of a functional model until it
returns (and on torch records them for autograd); against it, what they call now,
``keras_nst.core.backend.predict``: Keras' predict step on TensorFlow and JAX (one compiled graph
that frees each activation after its last use), on torch a walk of the model's operations without
autograd that drops each output after its last read; on torch also Keras' predict step itself (the
eager call without autograd); and the code's own path on a whole input, ``upscale`` (the body on the
whole input, the x4 tail in tiles) or ``stylize``. Each measurement is a fresh child process (peak
RSS only grows), on a random image of each ``--sizes`` (input px: a side, or WxH), its first call, as
a user's one photo pays it (tracing and compiling included). Prints the bytes added per output pixel,
which ``super_res.defaults.BYTES_PER_OUTPUT_PIXEL`` and ``keras_nst.fast_style.defaults.BYTES_PER_PIXEL``
plan with (tiles included: ``--tile``), and the ratios.

    KERAS_BACKEND=torch python benchmarks/inference_bench.py --task sr --sizes 200 400 --tile 100
    python benchmarks/inference_bench.py --task sr --model psnr --sizes 800x600
    KERAS_BACKEND=torch python benchmarks/inference_bench.py --task fast --sizes 768 1536
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_nst.core.atomic import atomic_path  # noqa: E402

CHILD = """
import resource, sys, time, numpy as np, keras
task, name, mode, size, tile = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
w, h = map(int, size.split("x")) if "x" in size else (int(size),) * 2
if task == "sr":
    from super_res.upscale import load_model, upscale
    model = load_model(name)
    run_tiled = lambda x: upscale(model, x[0], tile=tile or None)
else:
    from keras_nst.fast_style import load_style_model, stylize
    model = load_style_model(name)
    run_tiled = lambda x: stylize(model, x[0], tile=tile or None)
x = np.random.default_rng(0).uniform(0, 255, (1, h, w, 3)).astype("float32")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
if mode == "call":
    y = keras.ops.convert_to_numpy(model(x, training=False))
elif mode == "step":
    y = model.predict_on_batch(x)
elif mode == "predict":
    from keras_nst.core.backend import predict
    y = predict(model, x)
else:
    y = run_tiled(x)
print(before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.perf_counter() - started)
"""


def measure(task, model, mode, side, tile=0):
    """(bytes added, seconds) of one forward pass in a fresh process."""
    run = subprocess.run([sys.executable, "-c", CHILD, task, model, mode, side, str(tile)],
                         capture_output=True, text=True, env=dict(os.environ), check=True)
    before, after, seconds = run.stdout.split()[-3:]
    return (int(after) - int(before)) * 1024, float(seconds)  # ru_maxrss is in KB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", choices=("sr", "fast"), default="sr")
    ap.add_argument("--model", help="a shipped name or .keras (default: perceptual / starry_night)")
    ap.add_argument("--sizes", nargs="+", default=["200", "400"], help="input sides, px, or WxH")
    ap.add_argument("--tile", type=int, help="also measure the code's tiled path at the last size")
    ap.add_argument("--no-eager", action="store_true", help="skip the eager calls (too large for memory at 800x600)")
    ap.add_argument("--json")
    args = ap.parse_args()
    import keras

    model = args.model or ("perceptual" if args.task == "sr" else "starry_night")
    scale = 4 if args.task == "sr" else 1
    rows = []
    for side in args.sizes:
        w, h = map(int, side.split("x")) if "x" in side else (int(side),) * 2
        out_px = w * h * scale ** 2
        modes = ("call", "step", "predict") if keras.backend.backend() == "torch" else ("call", "predict")
        if args.no_eager:  # the eager calls keep every activation: 25-35 GB for an 800x600 photo's x4
            modes = ("predict",)
        got = {m: measure(args.task, model, m, side) for m in (*modes, "code")}
        (pred_b, pred_s) = got["predict"]
        call_b, call_s = got.get("call", got["predict"])
        rows.append(dict(size=side, **{f"{m}_bytes_per_px": b / out_px for m, (b, _) in got.items()},
                         **{f"{m}_s": t for m, (_, t) in got.items()},
                         memory_ratio=call_b / pred_b, time_ratio=call_s / pred_s))
        step = (f"Keras' predict step {got['step'][0] / 1e9:.2f} GB ({got['step'][0] / out_px:.0f} B/px) "
                f"{got['step'][1]:.1f} s; " if "step" in got else "")
        code_b, code_s = got["code"]
        eager = "" if args.no_eager else (f"eager call {call_b / 1e9:.2f} GB ({call_b / out_px:.0f} B/px) "
                                          f"{call_s:.1f} s; ")
        versus = "" if args.no_eager else f"{call_b / pred_b:.2f}x less memory than the eager call, " \
                                          f"{call_s / pred_s:.2f}x its speed; "
        print(f"{keras.backend.backend()} {args.task} {model}: {w}x{h} px in, {w * scale}x{h * scale} px out: {eager}"
              f"{step}predict() {pred_b / 1e9:.2f} GB ({pred_b / out_px:.0f} B/px) {pred_s:.1f} s: {versus}"
              f"{'upscale' if args.task == 'sr' else 'stylize'}() whole {code_b / 1e9:.2f} GB ({code_b / out_px:.0f} "
              f"B/px) {code_s:.1f} s: {pred_b / code_b:.2f}x less memory than predict(), {pred_s / code_s:.2f}x its "
              "speed", flush=True)
    result = dict(backend=keras.backend.backend(), task=args.task, model=model, rows=rows)
    if args.tile:
        side = args.sizes[-1]
        tiled_b, tiled_s = measure(args.task, model, "code", side, args.tile)
        result.update(tile=args.tile, tiled_bytes_per_tile_px=tiled_b / (args.tile * scale) ** 2, tiled_s=tiled_s)
        print(f"  the code's path in {args.tile} px tiles at {side} px: {tiled_b / 1e9:.2f} GB "
              f"({tiled_b / (args.tile * scale) ** 2:.0f} B a tile's output pixel) {tiled_s:.1f} s")
    if args.json:
        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
