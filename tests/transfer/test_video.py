"""Video without flicker: optical flow, warping, the trusted-flow mask, cut detection, the temporal
term, and both commands on a tiny clip (Ruder et al. 2016; Lai et al. 2018's E_warp)."""

import numpy as np
import pytest

from keras_nst.core.temporal import Consistent, Flow, Motion, WarpError, reliable, warp

from helpers import make_clip, skimage_rgb


def _frames(shift=3):
    a = skimage_rgb("astronaut", (128, 96))
    return a, np.roll(a, shift, axis=1)  # the picture moves right by ``shift`` px


def test_flow_follows_a_shift_and_warping_undoes_it():
    a, b = _frames()
    flow = Flow()
    forward, backward = flow(a, b), flow(b, a)
    assert np.median(forward[20:-20, 20:-20, 0]) == pytest.approx(3, abs=0.3)
    assert np.median(backward[20:-20, 20:-20, 0]) == pytest.approx(-3, abs=0.3)
    pulled = warp(a, backward)  # the first frame pulled onto the second
    assert np.abs(pulled[20:-20, 20:-20] - b[20:-20, 20:-20].astype(np.float32)).mean() < 6
    mask = reliable(backward, forward)
    assert mask[20:-20, 20:-20].mean() > 0.9


def test_a_result_warped_every_frame_keeps_its_strokes_sharp():
    strokes = skimage_rgb("astronaut", (128, 96)).astype(np.float32)
    there = np.zeros((96, 128, 2), np.float32)
    there[..., 0] = 0.5  # half a pixel, then back: each frame resamples the last result again
    back = -there
    energy = lambda im: np.abs(np.diff(im[20:-20, 20:-20], axis=1)).mean()
    kept = {}
    for sharp in (False, True):
        im = strokes
        for _ in range(6):
            im = warp(warp(im, there, sharp=sharp), back, sharp=sharp)
        kept[sharp] = energy(im) / energy(strokes)
    assert kept[True] > 0.8 and kept[True] > kept[False] + 0.2, kept  # bilinear's blur piles up


def test_an_occlusion_is_not_trusted():
    a = np.full((96, 128, 3), 120, np.uint8)
    a[..., 0] = np.linspace(0, 255, 128)[None]
    b = a.copy()
    b[30:60, 40:80] = (255, 255, 0)  # a square appears: no pixel of the last frame shows it
    flow = Flow()
    mask = reliable(flow(b, a), flow(a, b))
    assert mask[35:55, 45:75].mean() < 0.5 and mask[70:, :30].mean() > 0.9


def test_a_cut_starts_afresh():
    motion = Motion()
    assert motion.step(skimage_rgb("astronaut", (128, 96))) is None  # the first frame
    assert motion.step(skimage_rgb("astronaut", (128, 96))) is not None  # the same shot
    assert motion.step(skimage_rgb("coffee", (128, 96))) is None  # another picture: a cut


def test_consistent_keeps_still_parts_and_never_carries_a_ghost_over_a_cut():
    a, b = _frames(0)
    motion, steady = Motion(), Consistent(0.7)
    styled_a = np.full_like(a, 100)
    assert (steady(styled_a, motion.step(a)) == styled_a).all()
    noisy = np.clip(styled_a + np.random.default_rng(0).normal(0, 20, a.shape), 0, 255).astype(np.uint8)
    held = steady(noisy, motion.step(b))  # a still shot: the boiling strokes damped towards the last result
    assert np.abs(held.astype(int) - 100).mean() < 0.4 * np.abs(noisy.astype(int) - 100).mean()
    for _ in range(30):  # no drift: a still shot converges to the network's own picture
        held = steady(noisy, motion.step(b))
    assert np.abs(held.astype(int) - noisy.astype(int)).mean() < 1
    other = skimage_rgb("coffee", (128, 96))
    fresh = np.full_like(a, 7)
    assert (steady(fresh, motion.step(other)) == fresh).all()  # after a cut: the new frame's own result


def test_warp_error_of_a_result_that_moves_with_the_clip_is_the_clips_own():
    a, b = _frames()
    motion, measure = Motion(), WarpError()
    for frame in (a, b):
        measure.add(frame, frame, motion.step(frame))
    e_in, e_out = measure.means()
    assert e_in == e_out and 0 < e_in < 0.01  # bilinear resampling of a textured photo: small, not zero
    boiling = WarpError()
    motion = Motion()
    for seed, frame in enumerate((a, b)):  # fresh noise each frame: strokes that boil
        noise = np.random.default_rng(seed).integers(-40, 40, frame.shape)
        boiling.add(frame, np.clip(frame + noise, 0, 255).astype(np.uint8), motion.step(frame))
    assert boiling.means()[1] > 2 * e_in


def test_the_temporal_term(vgg):
    from keras import ops

    from keras_nst.core.terms import temporal_term

    mask = np.zeros((8, 8), "float32")
    mask[:4] = 1
    term = temporal_term(mask, weight=1.0)
    ref = np.random.default_rng(0).uniform(-50, 50, (1, 8, 8, 3)).astype("float32")
    const = term.target(ref, {})
    at = lambda x: float(ops.convert_to_numpy(term.loss(ops.convert_to_tensor(x), {}, const)))
    assert at(ref) == pytest.approx(0.0, abs=1e-6)
    moved = ref.copy()
    moved[:, 4:] += 30  # only where the flow is not trusted: free
    assert at(moved) == pytest.approx(0.0, abs=1e-6)
    moved[:, :4] += 10
    assert at(moved) == pytest.approx(100 * 0.5, rel=1e-4)


def _decoded(path):
    import av

    with av.open(str(path)) as clip:
        return [f.to_ndarray(format="rgb24") for f in clip.decode(video=0)]


def test_fast_stylize_holds_a_clip_still_and_its_first_frame_is_the_networks(tmp_path, capsys):
    from keras_nst.cli import main

    make_clip(tmp_path / "clip.mp4", frames=8, size=(96, 64), audio=None)
    for t in ("0", "0.7"):
        assert main(["fast-stylize", str(tmp_path / "clip.mp4"), "--temporal", t, "--out",
                     str(tmp_path / f"out_{t}.mp4")]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    e_warp = [float(line.split("result ")[1].split()[0]) for line in lines]
    assert e_warp[1] < 0.6 * e_warp[0], lines
    first = [_decoded(tmp_path / f"out_{t}.mp4")[0].astype(int) for t in ("0", "0.7")]
    assert np.abs(first[0] - first[1]).mean() < 3  # the first frame: the same picture, up to H.264 coding


def test_transfer_paints_a_clip_frame_by_frame_from_the_last_result(vgg, tmp_path, capsys, monkeypatch):
    from PIL import Image

    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    make_clip(tmp_path / "clip.mp4", frames=6, size=(64, 48), audio="aac")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save(tmp_path / "style.png")
    assert main(["transfer", "--content", "clip.mp4", "--style", "style.png", "--size", "48", "--iters", "1",
                 "--frames", "3"]) == 0
    out = capsys.readouterr().out
    assert "3 frames of 48x36" in out and "E_warp" in out
    assert len(_decoded(tmp_path / "clip_style.mp4")) == 3
    assert main(["transfer", "--content", "clip.mp4", "--style", "style.png", "--mask", "style.png"]) == 2
    assert "--mask: for photos, not a video --content" in capsys.readouterr().err
