"""Style-transfer speed and quality per optimiser, against a plain PyTorch Gatys peer, in one run.

For each optimiser (the course's lbfgs-scipy, the on-device lbfgs and adam) it prints one JSON line:
pure evaluation ms (one compiled loss+gradient step, synchronised), end-to-end ms per evaluation,
the final loss after N evaluations, and end-to-end / pure. The peer is torch.optim.LBFGS with a
strong-Wolfe line search on the same VGG16-avg weights, layers, loss and start image.

    python benchmarks/nst_bench.py --size 256 --evals 210 [--backend jax] [--no-peer]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"


def args_():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--evals", type=int, default=210)
    ap.add_argument("--backend", help="Keras backend (default: KERAS_BACKEND or tensorflow)")
    ap.add_argument("--optimizers", nargs="+", default=["lbfgs-scipy", "lbfgs", "adam"])
    ap.add_argument("--no-peer", action="store_true", help="skip the PyTorch peer")
    ap.add_argument("--batch", type=int, default=0, metavar="B",
                    help="also time B content images optimised as one batch: images/s vs one at a time")
    ap.add_argument("--precision", choices=["auto", "float32", "mixed"], default="float32",
                    help="mixed: VGG16 in bfloat16 (the peer stays float32: compare final losses)")
    ap.add_argument("--weights", default="auto", help="VGG16 weights source, as keras_nst")
    ap.add_argument("--content", help="default: ../shared/data Tübingen, else scikit-image's cat")
    ap.add_argument("--style", help="default: ../shared/data Starry Night, else scikit-image's Hubble field")
    return ap.parse_args()


def inputs(args):
    from keras_nst.core.image_io import load_image

    if DATA.is_dir():
        defaults = DATA / "content" / "tubingen.jpg", DATA / "style" / "starry_night.jpg"
    else:  # no shared data: scikit-image's own photos
        import skimage.data

        folder = Path(skimage.data.__file__).parent
        defaults = folder / "chelsea.png", folder / "hubble_deep_field.jpg"
    content, style = args.content or defaults[0], args.style or defaults[1]
    return load_image(content, args.size), load_image(style, args.size)


def timed(fn, repeat=5):
    fn()  # compile / warm up
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def bench_keras(args, content, style):
    import keras

    from keras_nst.core.backend import numpy_step
    from keras_nst.core.defaults import EVALS_PER_ITER
    from keras_nst.core.optimise import device as device_opt
    from keras_nst.core.optimise.evaluator import Evaluator, auto_loss_scale, blurred_noise, solve_image
    from keras_nst.core.vgg import vgg16_avg
    from keras_nst.transfer import experiments as ex

    shape = (1, *content.shape)
    x0 = blurred_noise(shape, seed=0)
    objective, _ = ex.build_objective(content=content, style=style, weights=args.weights,
                                      precision=args.precision)
    start, grad = numpy_step(objective(1.0))(x0)
    scale = auto_loss_scale(grad)
    step = objective(scale)
    xd = keras.ops.convert_to_tensor(x0)
    pure = timed(lambda: float(step(xd)[0]))  # float(): wait for the device
    rows = []
    for name in args.optimizers:
        began = time.perf_counter()
        if name == "lbfgs-scipy":
            ev = Evaluator(numpy_step(step), shape)
            losses = solve_image(ev, max(1, round(args.evals / EVALS_PER_ITER)), x0)[1]
            evals = ev.evaluations
        else:
            run = device_opt.lbfgs if name == "lbfgs" else device_opt.adam
            _, losses, evals = run(step, x0, args.evals, every=args.evals)
        e2e = (time.perf_counter() - began) / evals
        rows.append(dict(optimizer=name, start_loss=round(start, 2), backend=keras.backend.backend(),
                         precision=args.precision, size=list(content.shape[:2]),
                         evals=evals, pure_ms=round(1e3 * pure, 2), end_to_end_ms=round(1e3 * e2e, 2),
                         final_loss=round(losses[-1] / scale, 2), ratio=round(e2e / pure, 2)))
    if args.batch > 1:
        rows.append(bench_batch(args, content, style, pure, scale))
    return rows, x0, scale, vgg16_avg(args.weights).get_weights()


def bench_batch(args, content, style, single, scale):
    """One evaluation of B different content images sharing the style targets, vs B single ones."""
    import keras
    import numpy as np

    from keras_nst.core.optimise.evaluator import blurred_noise
    from keras_nst.transfer import experiments as ex

    contents = np.stack([np.roll(content, 7 * i, axis=1) for i in range(args.batch)])  # B different images
    objective, _ = ex.build_objective(content=contents, style=style, weights=args.weights,
                                      precision=args.precision)
    step = objective(scale)
    xd = keras.ops.convert_to_tensor(blurred_noise(contents.shape, seed=0))
    batched = timed(lambda: float(step(xd)[0]))
    return dict(optimizer="batch (pure evaluation)", batch=args.batch, precision=args.precision,
                pure_ms=round(1e3 * batched, 2), images_per_s=round(args.batch / batched, 2),
                speedup_vs_one_at_a_time=round(args.batch * single / batched, 2))


def bench_peer(args, content, style, x0, scale, vgg_weights):
    """torch.optim.LBFGS (strong Wolfe) Gatys: same network, layers, loss, start and scale."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    from keras_nst.core.defaults import CONTENT_LAYER, STYLE_LAYERS, STYLE_WEIGHTS
    from keras_nst.core.vgg import BLOCKS, CONV_LAYERS, pixel_bounds, preproc
    from keras_nst.transfer.defaults import CONTENT_WEIGHT

    pool_after = {f"block{b}_conv{n}" for b, (_, n) in enumerate(BLOCKS[:-1], 1)}  # each block's last conv

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    convs = [(torch.tensor(k).permute(3, 2, 0, 1).to(dev), torch.tensor(b).to(dev))
             for k, b in zip(vgg_weights[0::2], vgg_weights[1::2])]
    wanted = [CONTENT_LAYER, *STYLE_LAYERS]

    def feats(x):  # NCHW, preprocessed; average pooling after each block's last conv
        out = {}
        for name, (k, b) in zip(CONV_LAYERS, convs):
            x = F.relu(F.conv2d(x, k, b, padding=1))
            out[name] = x
            if name in pool_after:
                x = F.avg_pool2d(x, 2)
            if all(n in out for n in wanted):
                break
        return out

    def gram(a):
        n, c, h, w = a.shape
        f = a.reshape(c, h * w)
        return f @ f.T / (c * h * w)

    nchw = lambda a: torch.tensor(np.ascontiguousarray(np.moveaxis(a, -1, 1)), device=dev)
    with torch.no_grad():
        c_t = feats(nchw(preproc(content)[None]))[CONTENT_LAYER]
        s_f = feats(nchw(preproc(style)[None]))
        s_t = [gram(s_f[n]) for n in STYLE_LAYERS]
    x = nchw(x0).requires_grad_(True)
    low, high = (torch.tensor(v, device=dev).view(1, 3, 1, 1) for v in pixel_bounds())
    opt = torch.optim.LBFGS([x], lr=1, max_iter=args.evals, max_eval=args.evals, history_size=10,
                            tolerance_grad=0, tolerance_change=0, line_search_fn="strong_wolfe")
    calls = []

    def closure():
        opt.zero_grad()
        f = feats(x)
        loss = CONTENT_WEIGHT * F.mse_loss(f[CONTENT_LAYER], c_t)
        loss = loss + sum(w * F.mse_loss(gram(f[n]), t) for n, t, w in zip(STYLE_LAYERS, s_t, STYLE_WEIGHTS))
        loss = scale * loss
        loss.backward()
        calls.append(loss.item())
        return loss

    start_loss = closure().item() / scale  # also warms up (cuDNN autotuning) outside the timing
    calls.clear()
    start = time.perf_counter()
    opt.step(closure)
    with torch.no_grad():
        x.clamp_(low, high)
    e2e = (time.perf_counter() - start) / len(calls)
    return dict(optimizer="torch-lbfgs-strong-wolfe (peer)", backend=f"torch {torch.__version__} {dev}",
                size=list(content.shape[:2]), evals=len(calls), end_to_end_ms=round(1e3 * e2e, 2),
                final_loss=round(min(calls) / scale, 2), start_loss=round(start_loss, 2))


def main():
    args = args_()
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.path.insert(0, str(ROOT))
    content, style = inputs(args)
    rows, x0, scale, weights = bench_keras(args, content, style)
    for row in rows:
        print(json.dumps(row), flush=True)
    if not args.no_peer:
        try:
            import torch  # noqa: F401
        except ImportError:
            print(json.dumps({"optimizer": "peer", "skipped": "torch not installed"}))
            return
        print(json.dumps(bench_peer(args, content, style, x0, scale, weights)), flush=True)


if __name__ == "__main__":
    main()
