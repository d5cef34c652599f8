"""Peak memory and time of one forward pass of a trained feed-forward network, in one run.

The baseline is the eager call ``model(x, training=False)``, which keeps every activation of a functional model until it
returns (and on torch records them for autograd); against it, what they call now,
``keras_nst.core.backend.predict``: Keras' predict step on TensorFlow and JAX (one compiled graph
that frees each activation after its last use), on torch a walk of the model's operations without
autograd that drops each output after its last read; on torch also Keras' predict step itself (the
eager call without autograd). Each measurement is a fresh child process (peak RSS only grows), on a
random square image of each ``--sizes`` (input px), its first call, as a user's one photo pays it
(tracing and compiling included). Prints the bytes added per output pixel, which
``super_res.defaults.BYTES_PER_OUTPUT_PIXEL`` and ``keras_nst.fast_style.defaults.BYTES_PER_PIXEL`` plan
with (tiles included: ``--tile``), and the ratios.

    KERAS_BACKEND=torch python benchmarks/inference_bench.py --task sr --sizes 200 400 --tile 100
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
task, name, mode, side, tile = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
if task == "sr":
    from super_res.upscale import load_model, upscale
    model = load_model(name)
    run_tiled = lambda x: upscale(model, x[0], tile=tile)
else:
    from keras_nst.fast_style import load_style_model, stylize
    model = load_style_model(name)
    run_tiled = lambda x: stylize(model, x[0], tile=tile)
x = np.random.default_rng(0).uniform(0, 255, (1, side, side, 3)).astype("float32")
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
    run = subprocess.run([sys.executable, "-c", CHILD, task, model, mode, str(side), str(tile)],
                         capture_output=True, text=True, env=dict(os.environ), check=True)
    before, after, seconds = run.stdout.split()[-3:]
    return (int(after) - int(before)) * 1024, float(seconds)  # ru_maxrss is in KB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--task", choices=("sr", "fast"), default="sr")
    ap.add_argument("--model", help="a shipped name or .keras (default: perceptual / starry_night)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 400], help="input sides, px")
    ap.add_argument("--tile", type=int, help="also measure the code's tiled path at the largest size")
    ap.add_argument("--json")
    args = ap.parse_args()
    import keras

    model = args.model or ("perceptual" if args.task == "sr" else "starry_night")
    scale = 4 if args.task == "sr" else 1
    rows = []
    for side in args.sizes:
        out_px = (side * scale) ** 2
        modes = ("call", "step", "predict") if keras.backend.backend() == "torch" else ("call", "predict")
        got = {m: measure(args.task, model, m, side) for m in modes}
        (call_b, call_s), (pred_b, pred_s) = got["call"], got["predict"]
        rows.append(dict(side=side, **{f"{m}_bytes_per_px": b / out_px for m, (b, _) in got.items()},
                         **{f"{m}_s": t for m, (_, t) in got.items()},
                         memory_ratio=call_b / pred_b, time_ratio=call_s / pred_s))
        step = (f"Keras' predict step {got['step'][0] / 1e9:.2f} GB ({got['step'][0] / out_px:.0f} B/px) "
                f"{got['step'][1]:.1f} s; " if "step" in got else "")
        print(f"{keras.backend.backend()} {args.task} {model}: {side} px in, {side * scale} px out: "
              f"eager call {call_b / 1e9:.2f} GB ({call_b / out_px:.0f} B/px) {call_s:.1f} s; {step}"
              f"predict() {pred_b / 1e9:.2f} GB ({pred_b / out_px:.0f} B/px) {pred_s:.1f} s: "
              f"{call_b / pred_b:.2f}x less memory than the eager call, {call_s / pred_s:.2f}x its speed", flush=True)
    result = dict(backend=keras.backend.backend(), task=args.task, model=model, rows=rows)
    if args.tile:
        side = max(args.sizes)
        tiled_b, tiled_s = measure(args.task, model, "tiled", side, args.tile)
        result.update(tile=args.tile, tiled_bytes_per_tile_px=tiled_b / (args.tile * scale) ** 2, tiled_s=tiled_s)
        print(f"  the code's path in {args.tile} px tiles at {side} px: {tiled_b / 1e9:.2f} GB "
              f"({tiled_b / (args.tile * scale) ** 2:.0f} B a tile's output pixel) {tiled_s:.1f} s")
    if args.json:
        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
