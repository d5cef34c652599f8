"""Fast style transfer against the optimisation-based path on the same photo, in one run.

Lesson 9's point: a trained transform net stylises in one forward pass what Gatys' method optimises
for hundreds of VGG16 evaluations. Prints the forward time at --size (median of --repeats, after a
warm-up), the network's GFLOP and rate, one 20-evaluation L-BFGS round of ``style_transfer`` at the
same size, and the ratio against the default 10 rounds (peak memory per pixel, which
``fast_style.defaults.BYTES_PER_PIXEL`` tiles with: ``inference_bench.py --task fast``). ``--checkerboard M1
M2 ...`` scores each model's stylisations of --photos with ``checkerboard_energy`` and writes them
side by side (--grid). ``--widths 32 16`` times untrained networks of those trunk widths on the same
photo in one run (the first is the baseline the others are a ratio of), and ``--profile`` says where
one forward pass spends its time, layer by layer (the layers run one at a time, as
``core.backend.predict`` does on torch), grouped by the network's stages. ``--losses`` scores each
network against the optimisation it replaces under the course loss; ``--flicker`` stylises a clip
panning across a photo and prints its warping error E_warp, input against stylised (frame by frame
and with the default ``--temporal-blend``).

    KERAS_BACKEND=torch python benchmarks/fast_style_bench.py --model starry_night
    KERAS_BACKEND=torch python benchmarks/fast_style_bench.py --widths 32 16 --profile --no-nst
    KERAS_BACKEND=torch python benchmarks/fast_style_bench.py --sheet docs/fast_style.jpg --size 512
    KERAS_BACKEND=torch python benchmarks/fast_style_bench.py --blobs 512 1024 --models a.keras b.keras
    KERAS_BACKEND=torch python benchmarks/fast_style_bench.py --flicker ../shared/data/content/golden_gate.jpg
    python benchmarks/fast_style_bench.py --models starry_night candy --losses ../shared/data/style/starry_night.jpg \
        ../shared/data/style/candy-style.jpg --size 512 --iters 10 --json losses.json
"""

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_nst.core.atomic import atomic_path  # noqa: E402
from keras_nst.core.image_io import find_images, load_image  # noqa: E402
from keras_nst.core.plots import figure, image_grid, save_figure  # noqa: E402


def forward(model, photo, repeats):
    from keras_nst.fast_style import stylize

    stylize(model, photo, tile=None)  # warm-up: kernels chosen, memory allocated
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        stylize(model, photo, tile=None)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def widths(photo, filters, repeats):
    """Forward time of untrained transform nets of each trunk width (weights do not change the time)."""
    from keras_nst.fast_style import forward_flops, transform_net

    rows = []
    for f in filters:
        seconds = forward(transform_net(filters=f), photo, repeats)
        gflop = forward_flops(*photo.shape[:2], filters=f) / 1e9
        rows.append(dict(filters=f, forward_s=seconds, gflop=gflop, ratio=seconds / (rows[0]["forward_s"] if rows
                                                                                      else seconds)))
        print(f"width {f}-{2 * f}-{4 * f}: {seconds:.3f} s ({gflop:.1f} GFLOP, {gflop / seconds:.1f} GFLOP/s), "
              f"{rows[-1]['ratio']:.2f}x the first")
    return rows


def profile(model, photo):
    """Seconds per stage of one forward pass, each layer run and waited for in turn."""
    import keras

    from keras_nst.core.backend import _graph

    steps = _graph(model)
    values = {id(model.inputs[0]): keras.ops.convert_to_tensor(np.asarray(photo, "float32")[None])}
    stages, stage = {}, "input pad"
    for op, inputs, output in steps:
        args = [values[i] for i in inputs]
        name = type(op).__name__
        if name == "Conv2D" and op.kernel_size == (9, 9):
            stage = "9x9 conv in" if stage == "input pad" else "9x9 conv out"
        elif name == "Conv2D" and op.strides == (2, 2):
            stage = "stride-2 convs"
        elif name == "Cropping2D" or (stage == "stride-2 convs" and name == "Conv2D"):
            stage = "residual blocks"
        elif name in ("UpSampling2D", "Conv2DTranspose"):
            stage = "up blocks"
        started = time.perf_counter()
        out = op(args if len(args) > 1 else args[0])
        keras.ops.convert_to_numpy(keras.ops.sum(out))  # waits for the op
        stages[stage] = stages.get(stage, 0.0) + time.perf_counter() - started
        values[output] = out
    total = sum(stages.values())
    for stage, seconds in stages.items():
        print(f"  {stage:<16} {seconds:6.3f} s  {100 * seconds / total:4.1f} %")
    return stages


def blob_share(image):
    """The share of ``image`` in flat, bright blobs: luma > 200 with a local standard deviation < 4
    over 9x9 px, in connected areas of at least 0.2 % of the picture (what a short-trained style
    network paints into skies and walls: a patch of the painting's brightest colour, no strokes)."""
    from scipy import ndimage

    y = np.asarray(image, "float64") @ [0.299, 0.587, 0.114]
    mean = ndimage.uniform_filter(y, 9)
    std = np.sqrt(np.maximum(ndimage.uniform_filter(y * y, 9) - mean * mean, 0))
    labels, n = ndimage.label((y > 200) & (std < 4))
    sizes = ndimage.sum(labels > 0, labels, range(1, n + 1))
    return float(np.isin(labels, 1 + np.flatnonzero(sizes >= 0.002 * y.size)).mean())


def blobs(models, photos, sizes):
    """``blob_share`` of each model's stylisation of each photo at each size, in %."""
    from keras_nst.fast_style import load_style_model, stylize

    report = {}
    for name in models:
        net = load_style_model(name)
        for size in sizes:
            got = [100 * blob_share(stylize(net, load_image(p, size), tile=None)) for p in photos]
            report[f"{Path(name).stem}@{size}"] = got
            print(f"blob share {Path(name).stem} at {size} px: {' '.join(f'{g:.1f}' for g in got)} % "
                  f"({', '.join(p.stem for p in photos)}); mean {np.mean(got):.2f} %")
    return report


def sheet(models, photos, size, out):
    """Every style on every photo at ``size`` px: one row a photo, the photo then each style."""
    from keras_nst.fast_style import load_style_model, stylize

    nets = {Path(m).stem: load_style_model(m) for m in models}
    rows, titles = [], []
    for path in photos:
        photo = load_image(path, size)
        rows.append([photo] + [stylize(net, photo, tile=None) for net in nets.values()])
        titles.append([path.stem] + list(nets))
    fig = figure(figsize=(3 * len(rows[0]), 2.4 * len(rows)))
    image_grid(fig, rows, titles)
    print(f"wrote {save_figure(fig, out, dpi=90)}")


def losses(models, styles, photos, size, iters):
    """The course loss of each style network's result on each photo at ``size`` px, and of ``iters``
    L-BFGS rounds of the optimisation it replaces (``transfer``, from blurred noise), under the loss the
    shipped networks trained on (the paper's style layers, style 5, content 1 at block2_conv2, TV 10,
    the style image at 256 px); and the round at which the optimisation first gets below the network."""
    from keras_nst.core.backend import numpy_step
    from keras_nst.core.vgg import preproc
    from keras_nst.fast_style import load_style_model, stylize
    from keras_nst.transfer.experiments import Loss, Run, build_objective, optimise_image

    layers = ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3")
    loss = Loss(content_layer="block2_conv2", content_weight=1.0, tv_weight=10.0, style_layers=layers,
                style_weights=(5 / len(layers),) * len(layers))
    rows = []
    for name, style_path in zip(models, styles):
        net, style = load_style_model(name), load_image(style_path, 256)
        for path in photos:
            photo = load_image(path, size)
            objective, _ = build_objective(content=photo, style=style, loss=loss)
            fast = numpy_step(objective(1.0))(preproc(stylize(net, photo, tile=None)[None]))[0]
            run = optimise_image((1, *photo.shape), content=photo, style=style, loss=loss, run=Run(iters=iters))
            reached = next((i + 1 for i, v in enumerate(run.losses) if v <= fast), None)
            rows.append(dict(style=Path(name).stem, photo=path.stem, fast=fast, lbfgs=run.losses, reached=reached))
            print(f"{Path(name).stem:<14} {path.stem:<16} fast {fast:.4g}  L-BFGS " +
                  " ".join(f"{v:.3g}" for v in run.losses) + f"  (below the network from round {reached or '-'})",
                  flush=True)
    return rows


def flicker(models, photo, size, frames=48):
    """Each style on a clip made of ``photo`` (a camera panning across it, 4 px a frame, at 24 frames/s,
    H.264), stylised as ``fast-stylize`` does, frame by frame and with its default ``--temporal-blend``: the
    warping error E_warp of the input and of each result (``core.temporal.WarpError``)."""
    import tempfile

    import av

    from keras_nst.fast_style import load_style_model
    from keras_nst.fast_style.defaults import TEMPORAL_BLEND
    from keras_nst.fast_style.video import stylize_video

    image = load_image(photo, size + 4 * frames)
    h, w = image.shape[0], image.shape[1] - 4 * frames
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp, "pan.mp4")
        with av.open(str(clip), "w") as out:
            stream = out.add_stream("libx264", rate=24)
            stream.width, stream.height, stream.pix_fmt = w - w % 2, h - h % 2, "yuv420p"
            for i in range(frames):
                frame = np.ascontiguousarray(image[: h - h % 2, 4 * i: 4 * i + w - w % 2])
                out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
            out.mux(stream.encode(None))
        for name in models:
            for temporal in (0.0, TEMPORAL_BLEND):
                started = time.perf_counter()
                _, n, measure = stylize_video(load_style_model(name), clip, Path(tmp, f"{Path(name).stem}.mp4"),
                                              size=0, temporal_blend=temporal, overwrite=True)
                before, after = measure.means()
                key = f"{Path(name).stem} --temporal-blend {temporal:g}"
                rows[key] = dict(input=before, stylised=after, ratio=after / before,
                                 frames_per_s=n / (time.perf_counter() - started))
                print(f"E_warp {key}: {w}x{h}, {n} frames: input {before:.6f}, stylised {after:.6f} "
                      f"({after / before:.2f}x); {rows[key]['frames_per_s']:.2f} frames/s")
    return rows


def checkerboard(models, photos, size, grid):
    from keras_nst.fast_style import checkerboard_energy, load_style_model, stylize

    rows, report = [], {}
    images = [load_image(p, size) for p in photos]
    for name in models:
        model = load_style_model(name)
        out = [stylize(model, im, tile=None) for im in images]
        report[Path(name).stem] = float(np.mean([checkerboard_energy(o) for o in out]))
        rows.append(out[0])
        print(f"checkerboard energy {Path(name).stem}: {report[Path(name).stem]:.2f} (mean of {len(out)} photos; "
              f"the photos themselves: {np.mean([checkerboard_energy(im) for im in images]):.2f})")
    if grid:
        crop = lambda im: im[: im.shape[0] // 2, : im.shape[1] // 2]  # a quarter, so pixels show
        fig = figure(figsize=(4.5 * len(rows), 4.8))
        image_grid(fig, [[crop(r) for r in rows]], [[f"{Path(n).stem}: {report[Path(n).stem]:.1f}" for n in models]])
        print(f"wrote {save_figure(fig, grid, dpi=90)}")
    return report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="shipped style name or .keras (default: the first shipped style)")
    ap.add_argument("--photo", default="../shared/data/content/tubingen.jpg")
    ap.add_argument("--style", default="../shared/data/style/starry_night.jpg", help="for the optimisation path")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-nst", action="store_true", help="skip the optimisation-based comparison")
    ap.add_argument("--checkerboard", nargs="+", metavar="MODEL")
    ap.add_argument("--sheet", metavar="OUT", help="every shipped style (or --models) on every --photos photo")
    ap.add_argument("--blobs", nargs="+", type=int, metavar="SIZE",
                    help="the share of flat bright blobs in each style's (or --models') stylisations at these sizes")
    ap.add_argument("--models", nargs="+", metavar="MODEL", help="for --sheet (default: the shipped styles)")
    ap.add_argument("--photos", default="../shared/data/content", help="for --checkerboard")
    ap.add_argument("--grid", help="for --checkerboard: the stylisations side by side")
    ap.add_argument("--widths", nargs="+", type=int, metavar="F", help="time untrained nets of these trunk widths")
    ap.add_argument("--profile", action="store_true", help="where one forward pass spends its time, by stage")
    ap.add_argument("--losses", nargs="+", metavar="STYLE_IMAGE",
                    help="the course loss of each --models network (one style image each) on --photos, against "
                         "--iters L-BFGS rounds")
    ap.add_argument("--iters", type=int, default=10, help="for --losses")
    ap.add_argument("--flicker", metavar="PHOTO",
                    help="each style (or --models) on a clip panning across PHOTO at --size: the change between frames")
    ap.add_argument("--json")
    args = ap.parse_args()

    import keras

    from keras_nst.fast_style import forward_flops, load_style_model
    from keras_nst.fast_style.defaults import MODELS as FAST_MODELS

    result = {"backend": keras.backend.backend(), "size": args.size}
    if args.flicker:
        from keras_nst.fast_style import shipped

        result["flicker"] = flicker(args.models or shipped(), args.flicker, args.size)
    elif args.losses:
        result["losses"] = losses(args.models, args.losses, find_images(args.photos), args.size, args.iters)
    elif args.sheet or args.blobs:
        from keras_nst.fast_style import shipped

        if args.blobs:
            result["blobs"] = blobs(args.models or shipped(), find_images(args.photos), args.blobs)
        if args.sheet:
            sheet(args.models or shipped(), find_images(args.photos), args.size, args.sheet)
    elif args.checkerboard:
        result["checkerboard"] = checkerboard(args.checkerboard, find_images(args.photos), args.size, args.grid)
    else:
        name = args.model or FAST_MODELS[0]
        model = load_style_model(name)
        photo = load_image(args.photo, args.size, shorter=True)[: args.size, : args.size]  # 512 x 512
        h, w = photo.shape[:2]
        filters = next(layer.filters for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
        if args.widths:
            result["widths"] = widths(photo, args.widths, args.repeats)
        if args.profile:
            from keras_nst.fast_style import transform_net

            for f in args.widths or [None]:
                print(f"profile, {'the model' if f is None else f'width {f}'}, {w}x{h}:")
                result[f"profile_{f or 'model'}"] = profile(model if f is None else transform_net(filters=f), photo)
        seconds = forward(model, photo, args.repeats)
        gflop = forward_flops(h, w, filters=filters) / 1e9
        result.update(model=str(name), filters=filters, shape=[h, w], forward_s=seconds, gflop=gflop,
                      gflops_per_s=gflop / seconds)
        print(f"fast style ({name}, {keras.backend.backend()}): {w}x{h} in {seconds:.3f} s "
              f"({gflop:.1f} GFLOP, {gflop / seconds:.1f} GFLOP/s)")
        if not args.no_nst:
            from keras_nst import style_transfer

            style = load_image(args.style, args.size)
            started = time.perf_counter()
            r = style_transfer(photo, style, size=max(h, w), iters=1)
            round_s = time.perf_counter() - started
            result.update(nst_round_s=round_s, nst_evaluations=r.evaluations,
                          speedup_vs_10_rounds=10 * round_s / seconds)
            print(f"optimisation-based: one round ({r.evaluations} evaluations) {round_s:.1f} s; the default 10 rounds "
                  f"~{10 * round_s:.0f} s: fast style is {10 * round_s / seconds:.0f}x faster "
                  f"({round_s / seconds:.0f}x one round)")
    print(f"max RSS of this run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB")
    if args.json:
        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
