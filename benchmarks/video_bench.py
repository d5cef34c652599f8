"""Styled video, frame by frame against temporally consistent, on the shared clips.

For each clip and each method it prints one JSON line: E_warp (Lai et al. 2018: the previous result
warped onto this frame by the input's optical flow, mean squared difference where the flow is
trusted, pixels 0-1) of the input and of the result, the style distance to the painting (the course
loss's Gram term, VGG16 ``STYLE_LAYERS`` with lesson 9's weights, mean over every 8th frame: it must
not rise, a steadier clip that is less painted is no win), frames/s, and for ``fast-stylize`` the
share of frames after a cut identical to the frame-by-frame result. ``--strip`` writes input |
frame by frame | consistent for three frames of the first clip.

    python benchmarks/video_bench.py --size 320 --strip docs/video.jpg
    python benchmarks/video_bench.py --transfer --size 192 --iters 2 --frames 16
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
PAINTINGS = {"candy": "candy-style"}  # a shipped style's painting in ../shared/data/style, where the names differ


def frames_of(path):
    import av

    from keras_nst.core.video import upright

    with av.open(str(path)) as clip:
        return [upright(f) for f in clip.decode(video=0)]


def style_distance(painting, images):
    """Mean over ``images`` of the weighted Gram MSE to ``painting`` (both resized alike)."""
    from keras import ops

    from keras_nst.core.defaults import STYLE_LAYERS, STYLE_WEIGHTS
    from keras_nst.core.terms import gram_matrix
    from keras_nst.core.vgg import as_list, feature_model, preproc, vgg16_avg

    model = feature_model(vgg16_avg(precision="float32"), STYLE_LAYERS)
    grams = lambda im: [gram_matrix(f) for f in as_list(model(preproc(im[None])))]
    target = grams(painting)
    out = []
    for im in images:
        g = grams(im)
        out.append(sum(w * float(ops.convert_to_numpy(ops.mean((a - b) ** 2))) for w, a, b in zip(STYLE_WEIGHTS, g,
                                                                                                   target)))
    return float(np.mean(out))


def fast(clip, style, size, temporal, frames):
    from keras_nst.fast_style.inference import load_style_model
    from keras_nst.fast_style.video import stylize_video

    model = load_style_model(style)
    out = Path(tempfile.mkdtemp()) / f"{clip.stem}_{style}_{temporal}.mp4"
    started = time.perf_counter()
    _, n, measure = stylize_video(model, clip, out, size=size, temporal_blend=temporal, frames=frames)
    return out, n, time.perf_counter() - started, measure.means()


def transfer(clip, painting, size, iters, temporal, frames):
    from keras_nst.transfer.video import style_transfer_video

    out = Path(tempfile.mkdtemp()) / f"{clip.stem}_{Path(painting).stem}_{temporal}.mp4"
    started = time.perf_counter()
    _, n, measure, losses = style_transfer_video(clip, painting, out, size=size, iters=iters, temporal_weight=temporal,
                                                 frames=frames)
    return out, n, time.perf_counter() - started, measure.means(), float(np.mean(losses))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", nargs="+", default=[str(DATA / "video" / n) for n in ("bigbuckbunny.mp4",
                                                                                    "carphone_pristine.mp4")])
    ap.add_argument("--styles", nargs="+", help="shipped styles (default: all); with --transfer, paintings")
    ap.add_argument("--size", type=int, default=320)
    ap.add_argument("--temporal", type=float,
                    help="the consistent run's --temporal-blend (--transfer: --temporal-weight; default: the tool's)")
    ap.add_argument("--frames", type=int)
    ap.add_argument("--transfer", action="store_true", help="Gatys on video (transfer --content clip.mp4)")
    ap.add_argument("--iters", type=int, default=2)
    ap.add_argument("--strip", metavar="OUT.jpg")
    args = ap.parse_args()
    from keras_nst.core.image_io import load_image, resize

    strips = []
    for clip in map(Path, args.clips):
        if args.transfer:
            from keras_nst.transfer.defaults import TEMPORAL_WEIGHT

            styles = args.styles or [str(DATA / "style" / "starry_night.jpg")]
            runs = [0.0, TEMPORAL_WEIGHT if args.temporal is None else args.temporal]
        else:
            from keras_nst.fast_style.defaults import TEMPORAL_BLEND
            from keras_nst.fast_style.options import shipped

            styles = args.styles or shipped()
            runs = [0.0, TEMPORAL_BLEND if args.temporal is None else args.temporal]
        for style in styles:
            results = {}
            for t in runs:
                if args.transfer:
                    out, n, seconds, (e_in, e_out), loss = transfer(clip, style, args.size, args.iters, t, args.frames)
                    painting = load_image(style, args.size)
                else:
                    out, n, seconds, (e_in, e_out) = fast(clip, style, args.size, t, args.frames)
                    art = DATA / "style" / f"{PAINTINGS.get(style, style)}.jpg"
                    painting = load_image(art, args.size) if art.exists() else None
                    loss = None
                made = frames_of(out)
                results[t] = made
                row = dict(clip=clip.name, style=Path(str(style)).stem, temporal=t, frames=n,
                           fps=round(n / seconds, 2), e_warp_input=round(e_in, 6), e_warp=round(e_out, 6),
                           style_distance=None if painting is None else round(style_distance(painting, made[::8]), 2))
                if loss is not None:
                    row["loss_per_frame"] = round(loss, 2)
                print(json.dumps(row), flush=True)
            if args.strip and not strips:
                source = frames_of(clip)
                picks = [0, len(made) // 2, len(made) - 1]
                strips = [[resize(source[i], max(made[i].shape[:2])), results[runs[0]][i], results[runs[1]][i]]
                          for i in picks]
    if args.strip:
        from keras_nst.core.plots import figure, image_grid, save_figure

        fig = figure(figsize=(12, 2.6 * len(strips)))
        flag = "--temporal-weight" if args.transfer else "--temporal-blend"
        image_grid(fig, strips, [["input", "frame by frame", f"consistent ({flag} {runs[1]:g})"]] * len(strips))
        print(f"wrote {save_figure(fig, args.strip, dpi=100)}")


if __name__ == "__main__":
    main()
