"""float32 against ``--precision auto`` (bfloat16 where the device computes it natively), in one run.

Each figure times A (float32) and B (what ``auto`` resolves to on this machine and backend, or
``--b mixed`` to force it) interleaved, the minimum of ``--repeats`` after a warm-up, and prints
one JSON line with both and their ratio (> 1: B is faster). Parts, all by default:

- ``eval``: one loss + gradient evaluation of style transfer (Tübingen x Starry Night) at each
  ``--eval-sizes``, with its GFLOP/s and that rate's share of the bfloat16 and float32 matmul peaks
  (a 4096x4096 product measured in the same run, ``peak``);
- ``transfer``: ``style_transfer`` end to end at ``--transfer-size`` for ``--iters`` rounds in each
  precision, both results scored with the float32 loss;
- ``fast``: a shipped fast style at each ``--fast-sizes`` (and the PSNR of B's result against A's);
- ``upscale``: the ``psnr`` x4 network at each ``--upscale-sizes`` (WxH of the input; and the PSNR);
- ``train``: one training step of each feed-forward task (fast style at 128 px crops, SR 72 -> 288)
  in float32 and mixed precision.

    python benchmarks/precision_bench.py                      # everything on KERAS_BACKEND
    KERAS_BACKEND=torch python benchmarks/precision_bench.py --parts eval fast upscale train
"""

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

PARTS = ("peak", "eval", "transfer", "fast", "upscale", "train")


def args_():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", nargs="+", choices=PARTS, default=list(PARTS))
    ap.add_argument("--b", choices=["auto", "mixed"], default="auto", help="the precision set against float32")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--eval-sizes", nargs="+", type=int, default=[256, 512])
    ap.add_argument("--transfer-size", type=int, default=512)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--fast-sizes", nargs="+", type=int, default=[512, 1024])
    ap.add_argument("--fast-model", default="starry_night")
    ap.add_argument("--upscale-sizes", nargs="+", default=["200x150", "400x300"])
    return ap.parse_args()


def cpu():
    """The CPU's model name and its bfloat16 flags, for the figures' machine column."""
    from keras_nst.core.backend import cpu_flags
    from keras_nst.core.defaults import BFLOAT16_CPU_FLAGS

    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or platform.machine()
    flags = cpu_flags()
    return dict(cpu=model, cores=os.cpu_count(), bf16_flags=sorted(flags.intersection(BFLOAT16_CPU_FLAGS)),
                avx512f="avx512f" in flags, amx_tile="amx_tile" in flags)


def interleaved(fns, repeats):
    """{name: minimum seconds} of each ``fns`` value, warmed up, then run in turns ``repeats`` times."""
    for fn in fns.values():
        fn()
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeats):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def row(part, times, a="float32", b="mixed", **extra):
    out = dict(part=part, **extra, **{f"{k}_ms": round(1e3 * v, 1) for k, v in times.items()})
    out["ratio"] = round(times[a] / times[b], 2) if b != a else 1.0
    return out


def psnr(x, y):
    err = np.mean((np.asarray(x, "float64") - np.asarray(y, "float64")) ** 2)
    return round(float(10 * np.log10(255**2 / err)), 2) if err else float("inf")


def peak(args, b):
    """A 4096x4096 matmul in float32 and bfloat16 on this backend: GFLOP/s."""
    import keras

    n = 4096
    rng = np.random.default_rng(0)
    x = {d: keras.ops.convert_to_tensor(rng.standard_normal((n, n)).astype("float32"), dtype=d)
         for d in ("float32", "bfloat16")}
    wait = lambda t: keras.ops.convert_to_numpy(keras.ops.cast(t[:1, :1], "float32"))
    times = interleaved({d: (lambda d=d: wait(keras.ops.matmul(x[d], x[d]))) for d in x}, args.repeats)
    return {d: 2 * n**3 / t / 1e9 for d, t in times.items()}


def vgg_flops(h, w, deepest):
    """Multiply-adds x 2 of VGG16's convs up to ``deepest`` on an h x w image (forward only)."""
    from keras_nst.core.vgg import BLOCKS

    flops, cin = 0, 3
    for b, (filters, convs) in enumerate(BLOCKS, 1):
        for c in range(1, convs + 1):
            flops += 2 * h * w * 9 * cin * filters
            cin = filters
            if f"block{b}_conv{c}" == deepest:
                return flops
        h, w = h // 2, w // 2
    return flops


def inputs(size):
    from keras_nst.core.image_io import load_image

    if DATA.is_dir():
        return (load_image(DATA / "content" / "tubingen.jpg", size), load_image(DATA / "style" / "starry_night.jpg",
                                                                                 size))
    import skimage.data

    folder = Path(skimage.data.__file__).parent
    return load_image(folder / "chelsea.png", size), load_image(folder / "hubble_deep_field.jpg", size)


def evals(args, b, peaks):
    import keras

    from keras_nst.core.defaults import STYLE_LAYERS
    from keras_nst.core.optimise.evaluator import blurred_noise
    from keras_nst.transfer import experiments as ex

    rows = []
    for size in args.eval_sizes:
        content, style = inputs(size)
        x = keras.ops.convert_to_tensor(blurred_noise((1, *content.shape), 0))
        steps = {p: ex.build_objective(content=content, style=style, precision=p)[0](1.0) for p in ("float32", b)}
        times = interleaved({p: (lambda s=s, x=x: float(s(x)[0])) for p, s in steps.items()}, args.repeats)
        # forward, and the backward pass to the image (no weight gradients): about twice the forward
        flops = 2 * vgg_flops(*content.shape[:2], STYLE_LAYERS[-1])
        extra = {f"{p}_gflops": round(flops / t / 1e9, 1) for p, t in times.items()}
        if peaks:
            extra.update({f"{p}_share_of_peak": round(flops / t / 1e9 / peaks["bfloat16" if p == "mixed" else
                                                                              "float32"], 3) for p, t in times.items()})
        rows.append(row("eval", times, b=b, size=list(content.shape[:2]), **extra))
    return rows


def transfer(args, b):
    from keras_nst.core.backend import numpy_step
    from keras_nst.core.vgg import preproc
    from keras_nst.transfer import experiments as ex

    content, style = inputs(args.transfer_size)
    scored = numpy_step(ex.build_objective(content=content, style=style, precision="float32")[0](1.0))
    times, losses = {}, {}
    for p in ("float32", b):  # each long enough that interleaving adds nothing; float32 first, as a user would
        r = ex.style_transfer(content, style, size=args.transfer_size, iters=args.iters, precision=p)
        times[p], losses[p] = r.seconds, scored(preproc(r.image[None]))[0]
    return [row("transfer", times, b=b, size=list(content.shape[:2]), iters=args.iters,
                **{f"{p}_loss_in_float32": round(v, 1) for p, v in losses.items()},
                loss_change=round(losses[b] / losses["float32"] - 1, 4))]


def feed_forward(part, sizes, load, run, b, repeats):
    nets = {p: load(p) for p in ("float32", b)}
    rows = []
    for size in sizes:
        photo = inputs(size)[0] if part == "fast" else _lr(size)
        outs = {p: run(n, photo) for p, n in nets.items()}
        times = interleaved({p: (lambda n=n, photo=photo: run(n, photo)) for p, n in nets.items()}, repeats)
        rows.append(row(part, times, b=b, size=f"{photo.shape[1]}x{photo.shape[0]}",
                        psnr_db=psnr(outs["float32"], outs[b])))
    return rows


def _lr(size):
    from PIL import Image

    w, h = map(int, size.split("x"))
    photo = inputs(max(w, h) * 2)[0]
    return np.asarray(Image.fromarray(photo).resize((w, h), Image.BICUBIC))


def train_steps(args):
    """One optimiser step of each feed-forward task, float32 against mixed (a training run names one)."""
    import keras

    from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer
    from keras_nst.fast_style.options import Settings as FastSettings
    from super_res.model import upsampler
    from super_res.options import Settings as SRSettings

    rng = np.random.default_rng(0)
    style = inputs(256)[1]
    crops = {"fast-train": rng.uniform(0, 255, (4, 128, 128, 3)).astype("float32"),
             "train": rng.uniform(0, 255, (4, 72, 72, 3)).astype("float32")}
    targets = {"fast-train": crops["fast-train"], "train": rng.uniform(0, 255, (4, 288, 288, 3)).astype("float32")}
    rows = []
    for task in ("fast-train", "train"):
        trainers = {}
        for p in ("float32", "mixed"):
            if task == "fast-train":
                settings = FastSettings(filters=16, precision=p)
                net = settings.network()
                loss = PerceptualLoss(settings.terms(), fixed={"style": style[None].astype("float32")}, precision=p)
            else:
                settings = SRSettings(precision=p)
                net = upsampler(precision=p)
                loss = PerceptualLoss(settings.terms(), precision=p)
            trainer = PerceptualTrainer(net, loss)
            trainer.compile(optimizer=keras.optimizers.Adam(1e-4))
            trainers[p] = trainer
        times = interleaved({p: (lambda t=t, x=crops[task], y=targets[task]: t.train_on_batch(x, y)) for p, t in
                             trainers.items()}, args.repeats)
        rows.append(row("train", times, task=task, batch=4, crop=crops[task].shape[1]))
    return rows


def main():
    args = args_()
    import keras

    from keras_nst.core.backend import resolve_precision

    b = resolve_precision(args.b)
    head = dict(part="machine", backend=keras.backend.backend(), keras=keras.__version__,
                auto=resolve_precision("auto"), **cpu())
    print(json.dumps(head), flush=True)
    peaks = None
    if "peak" in args.parts:
        peaks = peak(args, b)
        print(json.dumps(dict(part="peak", **{f"{d}_gflops": round(v, 1) for d, v in peaks.items()})), flush=True)
    from keras_nst.fast_style.inference import load_style_model, stylize
    from super_res.upscale import load_model, upscale

    parts = {"eval": lambda: evals(args, b, peaks),
             "fast": lambda: feed_forward("fast", args.fast_sizes, lambda p: load_style_model(args.fast_model,
                                                                                               precision=p),
                                          lambda n, photo: stylize(n, photo, tile=None), b, args.repeats),
             "upscale": lambda: feed_forward("upscale", args.upscale_sizes, lambda p: load_model("psnr", precision=p),
                                             upscale, b, args.repeats),
             "train": lambda: train_steps(args), "transfer": lambda: transfer(args, b)}
    for part, fn in parts.items():
        for r in fn() if part in args.parts else []:
            print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
