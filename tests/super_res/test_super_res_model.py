"""super_res network: ReflectionPadding2D, save/load on several backends, training, resume, upscale, evaluate."""

import importlib.util
import json
import os
import re
import subprocess
import sys
import textwrap
import warnings

import keras
import numpy as np
import pytest
from PIL import Image

from keras_nst.core.errors import NSTError
from keras_nst.core.runs import checkpoint_dir, read_state
from super_res.defaults import BACK_PROJECTION, N_RES
from super_res.layers import ReflectionPadding2D
from super_res.model import back_projected, res_blocks, upsampler
from super_res.options import MODELS_DIR
from super_res.upscale import upscale

from helpers import prepare_tiny, skimage_rgb

pytest.importorskip("bcolz")


def test_reflection_padding_values_shape_config():
    x = np.arange(2 * 3 * 4 * 2, dtype="float32").reshape(2, 3, 4, 2)
    layer = ReflectionPadding2D((2, 1))
    got = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_array_equal(got, np.pad(x, [(0, 0), (2, 2), (1, 1), (0, 0)], mode="reflect"))
    assert layer.compute_output_shape((None, None, 4, 2)) == (None, None, 6, 2)
    assert layer.compute_output_shape((2, 3, 4, 2)) == got.shape
    again = ReflectionPadding2D.from_config(layer.get_config())
    assert again.padding == (2, 1) and ReflectionPadding2D(3).padding == (3, 3)


SAVE_LOAD = textwrap.dedent("""
    import sys, numpy as np, keras
    from keras_nst.core.backend import predict  # upscale's forward pass, which frees activations early
    from super_res.model import upsampler
    mode, folder, data, *archs = sys.argv[1:]
    x = np.load(data)["x"]
    for arch in archs:  # one process for all: each start of a backend costs seconds
        path = f"{folder}/{arch}.keras"
        if mode == "save":
            keras.utils.set_random_seed(0)
            model = upsampler(arch=arch)
            if arch == "residual":  # a trained-looking head, so the body's output shows in the comparison
                head = model.get_layer("residual")
                head.set_weights([w + 0.01 for w in head.get_weights()])
            model.save(path)
        model = keras.saving.load_model(path)  # the layers register themselves on import of super_res
        eager = keras.ops.convert_to_numpy(model(x, training=False))
        np.testing.assert_allclose(predict(model, x), eager, atol=1e-3)
        np.save(f"{path}.{keras.backend.backend()}.npy", eager)
""")


def run_backend(backend, *args):
    env = dict(os.environ, KERAS_BACKEND=backend)
    run = subprocess.run([sys.executable, "-c", SAVE_LOAD, *map(str, args)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_model_saves_and_loads_on_every_backend(tmp_path, other):
    """Both archs saved on TensorFlow, loaded on ``other``: the same outputs."""
    if importlib.util.find_spec(other) is None:
        pytest.skip(f"{other} is not installed")
    data = tmp_path / "x.npz"
    np.savez(data, x=np.random.default_rng(0).uniform(0, 255, (1, 12, 20, 3)).astype("float32"))
    archs = ("residual", "course")
    run_backend("tensorflow", "save", tmp_path, data, *archs)
    run_backend(other, "load", tmp_path, data, *archs)
    for arch in archs:
        ref = np.load(tmp_path / f"{arch}.keras.tensorflow.npy")
        assert ref.shape == (1, 48, 80, 3)
        np.testing.assert_allclose(np.load(tmp_path / f"{arch}.keras.{other}.npy"), ref, atol=1e-2, err_msg=arch)


def test_bicubic_layer_is_pillows_bicubic():
    from super_res.layers import BicubicUpsampling2D

    lr = skimage_rgb("astronaut", (37, 26))  # odd sizes: the borders' renormalised taps matter
    want = np.stack([np.asarray(Image.fromarray(lr[..., c].astype("float32"), "F").resize((148, 104), Image.BICUBIC))
                     for c in range(3)], -1)
    layer = BicubicUpsampling2D(4)
    got = keras.ops.convert_to_numpy(layer(lr[None].astype("float32")))[0]
    np.testing.assert_allclose(got, want, atol=1e-3)
    assert layer.compute_output_shape((None, None, 7, 3)) == (None, None, 28, 3)


def test_untrained_residual_network_is_bicubic():
    from super_res.evaluate import bicubic

    keras.utils.set_random_seed(3)
    lr = skimage_rgb("coffee", (40, 30))
    for upsample in ("upsample", "deconv"):
        sr = upscale(upsampler(arch="residual", upsample=upsample), lr)
        assert np.abs(sr.astype(int) - bicubic(lr)).max() <= 1  # rounding only
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in upsampler().layers)
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in upsampler(arch="course").layers) == 11


def test_self_ensemble_averages_the_eight_flips_and_rotations():
    from super_res.evaluate import bicubic

    keras.utils.set_random_seed(5)
    lr = skimage_rgb("coffee", (37, 29))  # non-square: rotations change the shape the network sees
    assert np.abs(upscale(upsampler(), lr, self_ensemble=True).astype(int) - bicubic(lr)).max() <= 1
    model = upsampler()
    head = model.get_layer("residual")
    head.set_weights([np.random.default_rng(0).normal(0, 2.0, w.shape) for w in head.get_weights()])

    def run(x):
        return keras.ops.convert_to_numpy(model(x[None].astype("float32")))[0]

    by_hand = np.zeros((116, 148, 3))
    for k in range(4):
        by_hand += np.rot90(run(np.rot90(lr, k)), -k) + np.rot90(run(np.rot90(lr, k)[:, ::-1])[:, ::-1], -k)
    by_hand = np.clip(by_hand / 8, 0, 255).round()
    plus = upscale(model, lr, self_ensemble=True)
    assert np.abs(plus - by_hand).max() <= 1
    assert np.abs(plus.astype(int) - upscale(model, lr)).max() > 2  # the ensemble is not one pass
    assert np.abs(upscale(model, lr, tile=80, self_ensemble=True).astype(int) - plus).max() <= 1  # tiles too


def test_back_projection_brings_the_result_back_onto_its_input():
    """Pillow's antialiased bicubic reduction, as a layer; the result brought down by it is the input
    (Irani & Peleg), so the perceptual network's flat-area drift (0 -> 2, 255 -> 254) is gone."""
    from super_res.layers import BackProjection
    from super_res.upscale import load_model

    x = np.random.default_rng(0).uniform(0, 255, (1, 40, 52, 3)).astype("float32")
    pillow = np.stack([np.asarray(Image.fromarray(x[0, ..., c], "F").resize((13, 10), Image.BICUBIC))
                       for c in range(3)], -1)
    layer = BackProjection(2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer.reduce(x))[0], pillow, atol=2e-3)
    keras.utils.set_random_seed(1)
    net = upsampler(arch="course")  # untrained: its result is nothing like its input
    lr = skimage_rgb("coffee", (24, 20))[None].astype("float32")
    model = back_projected(net, 2)
    miss = {m: np.abs(keras.ops.convert_to_numpy(layer.reduce(m.predict(lr, verbose=0))) - lr).mean()
            for m in (net, model)}
    assert miss[model] < miss[net] / 5
    assert [type(layer).__name__ for layer in back_projected(model, 3).layers].count("BackProjection") == 1
    assert back_projected(model, 3).get_layer("back_projection").iterations == 3
    assert back_projected(model, 0).count_params() == net.count_params()
    np.testing.assert_array_equal(back_projected(model, 0).predict(lr, verbose=0), net.predict(lr, verbose=0))
    perceptual = load_model("perceptual")
    assert perceptual.get_layer("back_projection").iterations == 2  # shipped with it
    for level in (0, 40, 255):
        assert (upscale(perceptual, np.full((12, 10, 3), level, np.uint8)) == level).all()
        assert not (upscale(back_projected(perceptual, 0), np.full((12, 10, 3), level, np.uint8)) == level).all()


def test_teacher_views_are_its_outputs_on_turned_batches_turned_back(prepared):
    """Self-ensemble distillation's second target: for each batch, the teacher's output on one of the 8
    flips and rotations of it, turned back (so a symmetric teacher gives exactly its plain output); and
    the loss weighs it against the high-res target as asked, held-out batches getting the plain loss."""
    from keras_nst.core.arrays import open_arrays
    from keras_nst.core.iterator import BcolzArrayIterator
    from keras_nst.core.trainer import PerceptualLoss
    from super_res.loss import sr_terms
    from super_res.train import DistillTrainer, TeacherViews

    _, X, Y = open_arrays(prepared)
    batch = BcolzArrayIterator(X, Y, 4)[0]
    keras.utils.set_random_seed(5)
    teacher = upsampler()  # untrained: bicubic, which is symmetric
    views = TeacherViews(BcolzArrayIterator(X, Y, 4), teacher, seed=0)
    x, y = views[0]
    assert y.shape == batch[1].shape[:3] + (6,)
    np.testing.assert_array_equal(x, batch[0])
    np.testing.assert_array_equal(y[..., :3], batch[1])
    np.testing.assert_allclose(y[..., 3:], keras.ops.convert_to_numpy(teacher(x.astype("float32"))), atol=0.01)
    head = teacher.get_layer("residual")  # now not symmetric: each view is one of the 8, by hand
    head.set_weights([np.random.default_rng(0).normal(0, 2.0, w.shape) for w in head.get_weights()])
    run = lambda im: keras.ops.convert_to_numpy(teacher(im[None].astype("float32")))[0]
    by_hand = [np.rot90(run(np.rot90(x[0], k)[:, ::f])[:, ::f], -k) for k in range(4) for f in (1, -1)]
    seen = set()
    for _ in range(12):
        view = views[0][1][0, ..., 3:]
        seen.add(int(np.argmin([np.abs(view - h).max() for h in by_hand])))
        assert min(np.abs(view - h).max() for h in by_hand) < 0.01
    assert len(seen) > 2  # drawn at random

    loss = PerceptualLoss(sr_terms(feature_weight=0, pixel_weight=1))
    trainer = DistillTrainer(upsampler(), loss, weight=0.25)
    out = np.zeros_like(y[..., :3])
    plain = lambda ref: float(loss(ref, out))
    assert float(trainer.compute_loss(y=y, y_pred=out)) == pytest.approx(
        0.75 * plain(y[..., :3]) + 0.25 * plain(y[..., 3:]), rel=1e-5)
    assert float(trainer.compute_loss(y=y[..., :3], y_pred=out)) == pytest.approx(plain(y[..., :3]), rel=1e-5)


def test_upscale_any_shape_and_tiles_without_seams(monkeypatch):
    from keras_nst.core import memory

    released = []
    real = memory.release
    monkeypatch.setattr(memory, "release", lambda: released.append(real()))  # still trims: glibc's call works
    keras.utils.set_random_seed(1)
    # back-projection's reach too (4 px a round): the overlap must cover it, or tiles show seams
    model = back_projected(upsampler(arch="course", upsample="deconv"), 2)
    lr = skimage_rgb("coffee", (101, 67))  # non-square, odd sizes
    whole = upscale(model, lr)
    assert whole.shape == (268, 404, 3) and whole.dtype == np.uint8
    tiled = upscale(model, lr, tile=80)  # tiles of 80 px with 24 px overlap: 32 px cores
    assert np.abs(tiled.astype(int) - whole).max() <= 1
    assert len(released) == 4 * 3  # freed memory handed back after every tile (core.memory.release)
    for tile in (0, 33):  # 0 was silently untiled; 33 made 1 px cores (a hang)
        with pytest.raises(NSTError, match="too small: at least 80 px"):
            upscale(model, lr, tile=tile)


def test_the_x4_tail_runs_in_tiles_and_gives_the_whole_result(monkeypatch):
    """The body runs on the whole input, the x4 tail (where the 2 GB activations of an 800x600 photo
    were) in tiles of TAIL_TILE px: the same result as the whole network at once."""
    from keras_nst.core.backend import predict
    from super_res import upscale as up

    model = up.load_model("psnr")
    lr = skimage_rgb("coffee", (150, 110))
    whole = np.clip(predict(model, lr[None].astype("float32"))[0], 0, 255).round().astype(np.uint8)
    head, tail = up._parts(model)
    seen = []
    monkeypatch.setitem(up._SPLITS, id(model), (model, head, lambda v, b: seen.append(b.shape[1:3]) or tail(v, b)))
    monkeypatch.setattr(up, "TAIL_TILE", 80)
    assert np.abs(up.upscale(model, lr, tile=None).astype(int) - whole).max() <= 1
    assert len(seen) == 5 * 4 and max(max(s) for s in seen) <= 80  # 32 px cores: 5 x 4 tiles of at most 80 px


def test_x2_and_x3_are_the_x4_result_brought_down_and_beat_bicubic():
    from super_res.evaluate import bicubic, degrade, psnr_ssim_y
    from super_res.upscale import load_model

    model = load_model("psnr")
    lr = skimage_rgb("coffee", (41, 30))
    x4 = upscale(model, lr)
    for scale in (2, 3):
        want = np.asarray(Image.fromarray(x4).resize((41 * scale, 30 * scale), Image.BICUBIC))
        np.testing.assert_array_equal(upscale(model, lr, scale=scale), want)
    with pytest.raises(NSTError, match="--scale 5"):
        upscale(model, lr, scale=5)
    # an unseen photo degraded by 2: the x4 network's result, brought down, is far closer than bicubic
    hr, small = degrade(skimage_rgb("astronaut", (128, 128)), 2)
    ours, base = psnr_ssim_y(hr, upscale(model, small, scale=2), 2)[0], psnr_ssim_y(hr, bicubic(small, 2), 2)[0]
    assert ours - base > 1.0


def test_transparency_is_upscaled_by_the_network_and_kept(tmp_path, capsys):
    from PIL import ImageDraw

    from super_res.cli import main
    from super_res.evaluate import degrade
    from super_res.upscale import load_model, upscale_alpha

    big = Image.new("L", (1024, 768), 0)
    ImageDraw.Draw(big).ellipse((100, 80, 900, 700), fill=255)
    hr, lr = degrade(np.repeat(np.asarray(big.resize((256, 192), Image.LANCZOS))[..., None], 3, -1), 4)
    hr, lr = hr[..., 0], lr[..., 0]  # an antialiased disc's transparency, and the same at a quarter size
    up = upscale_alpha(load_model("perceptual"), lr, tile=None)
    smooth = np.asarray(Image.fromarray(lr).resize((256, 192), Image.BICUBIC))
    mse = lambda a: np.mean((a.astype(float) - hr) ** 2)
    assert mse(up) < mse(smooth) / 2  # the disc's edge as sharp as the network makes colours (bicubic: soft)
    assert up[:8, :8].max() == 0 and up[96, 128] == 255  # empty stays empty, solid stays solid, exactly
    rgba = np.dstack([skimage_rgb("coffee", (100, 75)), np.asarray(Image.fromarray(lr).resize((100, 75)))])
    Image.fromarray(rgba).save(tmp_path / "logo.png")
    assert main(["upscale", str(tmp_path / "logo.png"), "--out", str(tmp_path / "x4.png"), "--tile", "80"]) == 0
    out = Image.open(tmp_path / "x4.png")  # in tiles, colour and transparency alike
    assert out.mode == "RGBA" and out.size == (400, 300) and "transparency kept" in capsys.readouterr().out
    assert main(["upscale", str(tmp_path / "logo.png"), "--out", str(tmp_path / "x2.jpg"), "--scale", "2"]) == 0
    out = np.asarray(Image.open(tmp_path / "x2.jpg"))  # JPEG holds no transparency: white there, as viewers show
    assert out.shape == (150, 200, 3) and (out[:4, :4] > 245).all()


def test_auto_tiling_follows_the_memory_budget():
    from super_res.upscale import auto_tile, bytes_per_output_pixel

    assert auto_tile(100, 100, budget=10**12) is None
    side = auto_tile(4000, 3000, budget=2 * 10**9)
    result = 4000 * 3000 * 16 * 3  # the output array is planned for too
    assert 32 < side and side * side * 16 * bytes_per_output_pixel() <= 2 * 10**9 - result
    with pytest.raises(NSTError, match="not enough memory"):
        auto_tile(4000, 3000, budget=10**5)
    plain, alpha = (auto_tile(4000, 3000, budget=4 * 10**9, alpha=a) for a in (False, True))
    assert alpha < plain  # a transparent image's arrays are planned for too


def test_grid_figure_is_one_on_the_photo_and_rises_with_a_faint_grid():
    from super_res.evaluate import bicubic, degrade, grid_figure

    photo = skimage_rgb("astronaut", (256, 256)).astype(float)
    x, y = np.arange(256), np.arange(256)[:, None]
    assert grid_figure(photo, photo) == pytest.approx(1.0)
    for period in (3, 4):  # faint stripes along both axes, as a screen-door grid
        stripes = 2 * np.sin(2 * np.pi * x / period) + 2 * np.sin(2 * np.pi * y / period)
        assert grid_figure(np.clip(photo + stripes[..., None], 0, 255), photo) > 2
    hr, lr = degrade(photo.astype(np.uint8))
    assert grid_figure(bicubic(lr), hr) < 0.5  # smoother than the photo: no pattern, below its level


def test_y_channel_metrics_against_a_hand_computation():
    from super_res.evaluate import luma, psnr_ssim_y

    rng = np.random.default_rng(0)
    hr = rng.integers(0, 256, (24, 20, 3)).astype(np.uint8)
    sr = np.clip(hr.astype(int) + rng.integers(-3, 4, hr.shape), 0, 255).astype(np.uint8)
    y = lambda im: 16 + (65.481 * im[..., 0] + 128.553 * im[..., 1] + 24.966 * im[..., 2]) / 255  # BT.601
    np.testing.assert_allclose(luma(hr), y(hr.astype(float)), atol=1e-9)
    a, b = y(hr.astype(float))[4:-4, 4:-4], y(sr.astype(float))[4:-4, 4:-4]
    psnr, ssim = psnr_ssim_y(hr, sr)
    assert psnr == pytest.approx(10 * np.log10(255**2 / np.mean((a - b) ** 2)), abs=1e-9)
    with np.errstate(divide="ignore"):  # identical images: PSNR is infinite
        assert psnr_ssim_y(hr, hr)[1] == pytest.approx(1.0) and 0 < ssim < 1


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    return prepare_tiny(tmp_path_factory, chunklen=4)


def test_two_steps_lower_the_loss(vgg, prepared, tmp_path):
    from super_res.train import Settings, train

    hist = train(prepared, tmp_path / "m.keras", settings=Settings(pixel_weight=1.0), epochs=2, batch_size=4,
                 steps_per_epoch=1, lr=3e-3, lr_final=1e-3, val_fraction=0.25)
    assert len(hist["loss"]) == 2 and np.isfinite(hist["loss"]).all()
    assert "val_loss" in hist and np.isfinite(hist["val_loss"]).all()
    assert keras.saving.load_model(tmp_path / "m.keras")(np.zeros((1, 8, 8, 3))).shape == (1, 32, 32, 3)


@pytest.mark.parametrize("per_epoch", [2, 5])
def test_epochs_of_exactly_steps_per_epoch_shorter_or_longer_than_the_data(prepared, tmp_path, monkeypatch, capsys,
                                                                            per_epoch):
    # 3 training batches. Epochs of 2: Keras alone ran 2, 1 (out of data, with a warning), 2 steps;
    # epochs of 5 were once cut to 3, which shrank the run (and its schedule) without a word
    from keras_nst.core import trainer
    from super_res.train import Settings, train

    steps = []
    real = trainer._Progress.on_train_batch_end
    monkeypatch.setattr(trainer._Progress, "on_train_batch_end",
                        lambda self, batch, logs=None: (steps.append(batch), real(self, batch, logs)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train(prepared, tmp_path / "m.keras", settings=Settings(feature_weight=0, pixel_weight=1), epochs=3,
              batch_size=4, steps_per_epoch=per_epoch, val_fraction=0.25)
    assert steps == list(range(per_epoch)) * 3
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    # each epoch's line gives its training steps' time, what a run's --epochs x --steps-per-epoch is sized by
    assert re.search(rf"^epoch 3: loss [0-9.]+, validation loss [0-9.]+; {per_epoch} steps in [0-9.]+ s$",
                     capsys.readouterr().out, re.M)


@pytest.mark.parametrize("arch", ["residual", "course"])
def test_training_steps_lower_the_loss_on_a_batch(vgg, arch):
    from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer
    from super_res.loss import sr_terms

    keras.utils.set_random_seed(0)
    hr = np.stack([skimage_rgb(n, (32, 32)) for n in ("coffee", "chelsea")]).astype("float32")
    lr = np.stack([np.asarray(Image.fromarray(im.astype(np.uint8)).resize((8, 8), Image.BICUBIC)) for im in hr])
    trainer = PerceptualTrainer(upsampler(arch=arch), PerceptualLoss(sr_terms(pixel_weight=10.0)))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    # each value is the batch's loss before that step, in training mode (BatchNorm's batch statistics)
    losses = [float(trainer.train_on_batch(lr.astype("float32"), hr)) for _ in range(4)]
    assert losses[-1] < losses[0]


def test_the_residual_body_learns(prepared, tmp_path):
    """The zero head must not stop the body: after a few steps the body's first conv has moved and
    the output is no longer bicubic."""
    from super_res.layers import BicubicUpsampling2D
    from super_res.train import Settings, train

    out = tmp_path / "m.keras"
    train(prepared, out, settings=Settings(feature_weight=0, pixel_weight=1, pixel_loss="l1"), epochs=1,
          batch_size=4, steps_per_epoch=3, lr=1e-3, lr_final=1e-3, seed=5)
    saved = keras.saving.load_model(out)
    assert saved.get_layer("back_projection").iterations == BACK_PROJECTION["residual"] == 2  # saved with it
    trained = back_projected(saved, 0)  # the network alone: back-projection moves even bicubic a little
    keras.utils.set_random_seed(5)  # what train built before its first step
    start = upsampler()
    first = lambda m: next(layer for layer in m.layers if isinstance(layer, keras.layers.Conv2D)).get_weights()[0]
    assert np.abs(first(trained) - first(start)).max() > 1e-4
    lr = skimage_rgb("coffee", (16, 16))[None].astype("float32")
    residual = keras.ops.convert_to_numpy(trained(lr)) - keras.ops.convert_to_numpy(BicubicUpsampling2D(4)(lr))
    assert np.abs(residual).max() > 0.1  # grey levels: the head reads features that carry signal


@pytest.mark.parametrize("through", [False, True])
def test_training_through_back_projection_leaves_it_the_low_band(prepared, tmp_path, monkeypatch, through):
    """``train_back_projected``: the loss sees the back-projected result, so a network off by a constant
    (the low band at its lowest) costs it nothing; the saved model back-projects once, not twice."""
    from super_res import train as T

    seen = {}

    def no_fit(trainer, *args, **kwargs):  # the trainer as train() built it, without the steps
        seen["trainer"] = trainer
        return {"loss": [0.0]}

    monkeypatch.setattr(T, "fit", no_fit)
    out = tmp_path / "m.keras"
    T.train(prepared, out, settings=T.Settings(feature_weight=0, pixel_weight=1, train_back_projected=through),
            epochs=1, batch_size=4, steps_per_epoch=1)
    trained = seen["trainer"]
    head = trained.net.get_layer("residual")
    head.set_weights([np.random.default_rng(0).normal(0, 0.01, w.shape) for w in head.get_weights()])
    lr = skimage_rgb("coffee", (24, 24))[None].astype("float32")
    before = keras.ops.convert_to_numpy(trained(lr))
    kernel, bias = head.get_weights()
    head.set_weights([kernel, bias + 5])
    shift = np.abs(keras.ops.convert_to_numpy(trained(lr)) - before).max()
    assert shift < 0.05 if through else abs(shift - 5) < 1e-3
    assert [layer.iterations for layer in keras.saving.load_model(out).layers if hasattr(layer, "iterations")] == [2]


@pytest.mark.parametrize("arch", ["residual", "course"])
def test_a_grown_network_starts_as_its_source(arch):
    from super_res.model import copy_weights

    rng = np.random.default_rng(0)
    source = upsampler(arch=arch, n_res=1, filters=8)
    source.set_weights([w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in source.get_weights()])
    grown = upsampler(arch=arch, n_res=3, filters=8)
    copy_weights(grown, source)
    x = rng.uniform(0, 255, (1, 12, 10, 3)).astype("float32")
    np.testing.assert_allclose(grown.predict(x, verbose=0), source.predict(x, verbose=0), atol=1e-4)
    # the new blocks are there and do train: their first conv is not zero
    convs = [layer for layer in grown.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == len([layer for layer in source.layers if isinstance(layer, keras.layers.Conv2D)]) + 4
    assert np.abs(convs[3].get_weights()[0]).max() > 0
    with pytest.raises(ValueError, match="does not fit"):
        copy_weights(upsampler(arch=arch, n_res=1, filters=8), grown)  # never shrunk


@pytest.mark.slow
def test_init_from_a_shallower_model_grows_it(prepared, tmp_path):
    from super_res import train as T

    pixels = dict(feature_weight=0, pixel_weight=1)
    T.train(prepared, tmp_path / "a.keras", settings=T.Settings(**pixels), epochs=1, batch_size=4, steps_per_epoch=1)
    out = tmp_path / "b.keras"
    T.train(prepared, out, settings=T.Settings(n_res=6, **pixels), epochs=1, batch_size=4, steps_per_epoch=1,
            init_from=tmp_path / "a.keras", lr=1e-9, lr_final=1e-9)
    state = json.loads((checkpoint_dir(out) / "state.json").read_text())
    assert state["settings"]["network_loss"]["n_res"] == 6  # --resume rebuilds the grown network
    a, b = (keras.saving.load_model(tmp_path / n) for n in ("a.keras", "b.keras"))
    assert b.count_params() == T.upsampler(n_res=6).count_params()
    x = skimage_rgb("coffee", (12, 12))[None].astype("float32")
    np.testing.assert_allclose(b.predict(x, verbose=0), a.predict(x, verbose=0), atol=0.05)  # lr ~0: as a
    with pytest.raises(NSTError, match="--n-res"):
        T.train(prepared, tmp_path / "c.keras", settings=T.Settings(n_res=4, **pixels), init_from=out)
    # a shipped model, by name, fine-tuned at its own depth without --n-res
    shipped = keras.saving.load_model(MODELS_DIR / "psnr.keras")
    T.train(prepared, tmp_path / "d.keras", settings=T.Settings(**pixels), epochs=1,
            batch_size=4, steps_per_epoch=1, init_from="psnr", lr=1e-9, lr_final=1e-9)
    state = json.loads((checkpoint_dir(tmp_path / "d.keras") / "state.json").read_text())
    assert state["settings"]["network_loss"]["n_res"] == res_blocks(shipped) > N_RES
    np.testing.assert_allclose(keras.saving.load_model(tmp_path / "d.keras").predict(x, verbose=0),
                               shipped.predict(x, verbose=0), atol=0.05)


def test_resume_continues_the_epochs_and_optimiser(vgg, prepared, tmp_path):
    from super_res import train as T

    out, ckpt = tmp_path / "m.keras", checkpoint_dir(tmp_path / "m.keras")
    T.train(prepared, out, settings=T.Settings(upsample="deconv"), epochs=1, batch_size=4, steps_per_epoch=2)
    state = json.loads((ckpt / "state.json").read_text())
    assert state["epoch"] == 1 and state["settings"]["network_loss"]["upsample"] == "deconv"
    with pytest.raises(NSTError, match="pass --resume to continue it, or --overwrite"):
        T.train(prepared, out, epochs=2, batch_size=4, steps_per_epoch=2)
    hist = T.train(prepared, out, epochs=2, batch_size=4, steps_per_epoch=2, resume=True)
    assert len(hist["loss"]) == 1  # only the second epoch ran
    state = json.loads((ckpt / "state.json").read_text())
    assert state["epoch"] == 2 and sorted(p.name for p in ckpt.iterdir()) == ["epoch0002.weights.h5", "state.json"]
    with pytest.raises(NSTError, match="already trained for 2 epochs, more than --epochs 1"):
        T.train(prepared, out, epochs=1, batch_size=4, resume=True)
    # the optimiser's step counter went on from 2 to 4
    from keras_nst.core.trainer import Checkpoint, PerceptualLoss, PerceptualTrainer, schedule
    trainer = PerceptualTrainer(T.upsampler(upsample="deconv"), PerceptualLoss(T.Settings().terms()))
    trainer.compile(optimizer=keras.optimizers.Adam(schedule(1e-3, 1e-4, 4)))  # as fit's
    Checkpoint.restore(trainer, ckpt, read_state(ckpt))
    assert int(keras.ops.convert_to_numpy(trainer.optimizer.iterations)) == 4
    # a truncated weights file is a one-line error, never a half-restored run
    weights = ckpt / "epoch0002.weights.h5"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(NSTError, match="damaged checkpoint"):
        T.train(prepared, out, epochs=3, batch_size=4, steps_per_epoch=2, resume=True)
    T.train(prepared, out, epochs=1, batch_size=4, steps_per_epoch=1, overwrite=True)  # starts again
    assert sorted(p.name for p in ckpt.iterdir()) == ["epoch0001.weights.h5", "state.json"]


def test_warmup_rises_from_zero_then_anneals(prepared, tmp_path):
    from keras_nst.core.trainer import schedule
    from super_res import train as T

    rate = schedule(1e-3, 1e-5, steps=100, warmup=10)
    at = lambda step: float(keras.ops.convert_to_numpy(rate(step)))
    assert at(0) == 0 and at(5) == pytest.approx(5e-4) and at(10) == pytest.approx(1e-3)
    assert at(55) == pytest.approx((1e-3 + 1e-5) / 2, rel=1e-3) and at(100) == at(500) == pytest.approx(1e-5)
    no_warmup = schedule(1e-3, 1e-5, steps=100)
    assert float(keras.ops.convert_to_numpy(no_warmup(0))) == pytest.approx(1e-3)
    # Adam's first step at rate 0 leaves the network it starts from as it was; the next one moves it
    from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer
    net = T.upsampler(n_res=1, filters=8)
    trainer = PerceptualTrainer(net, PerceptualLoss(T.Settings(feature_weight=0, pixel_weight=1).terms()))
    trainer.compile(optimizer=keras.optimizers.Adam(schedule(1e-2, 1e-2, steps=3, warmup=2)))
    lr = skimage_rgb("coffee", (8, 8))[None].astype("float32")
    hr = skimage_rgb("coffee", (32, 32))[None].astype("float32")
    start = net.get_weights()
    trainer.train_on_batch(lr, hr)
    assert all(np.array_equal(a, b) for a, b in zip(start, net.get_weights()))
    trainer.train_on_batch(lr, hr)
    assert not all(np.array_equal(a, b) for a, b in zip(start, net.get_weights()))
    # train() takes it and the checkpoint keeps it
    out = tmp_path / "m.keras"
    T.train(prepared, out, settings=T.Settings(feature_weight=0, pixel_weight=1), epochs=1, batch_size=4,
            steps_per_epoch=2, warmup=1)
    assert json.loads((checkpoint_dir(out) / "state.json").read_text())["settings"]["warmup"] == 1


def test_bad_training_options_fail_before_any_work(prepared, tmp_path):
    from super_res import train as T

    out = tmp_path / "m.keras"
    cases = [(dict(epochs=0), "--epochs must be"), (dict(lr=float("nan")), "--lr must be"),
             (dict(settings=T.Settings(pixel_weight=float("nan"))), "--pixel-weight must be"),
             (dict(settings=T.Settings(feature_weight=-1)), "--feature-weight must be"),
             (dict(settings=T.Settings(n_res=0)), "--n-res must be"),
             (dict(warmup=-1), "--warmup must be"), (dict(warmup=4, epochs=2, steps_per_epoch=2), "--warmup 4"),
             (dict(val_fraction=1.0), "--val-fraction"), (dict(resume=True), "no usable checkpoint"),
             (dict(settings=T.Settings(distill_from=tmp_path / "none.keras")), "--distill-from"),
             (dict(settings=T.Settings(distill_from="psnr", distill_weight=0)), "--distill-weight must be"),
             (dict(settings=T.Settings(distill_weight=1.5)), "--distill-weight must be"),
             (dict(settings=T.Settings(back_projection=-1)), "--back-projection must be"),
             (dict(settings=T.Settings(back_projection=0, train_back_projected=True)), "--train-back-projected needs"),
             (dict(settings=T.Settings(arch="course", train_back_projected=True)), "--arch course has 0")]
    for kwargs, message in cases:
        with pytest.raises(NSTError, match=message):
            T.train(prepared, out, **kwargs)
    with pytest.raises(NSTError, match="does not exist"):
        T.train(prepared, tmp_path / "missing" / "m.keras")
    assert not out.exists() and not checkpoint_dir(out).exists()
    # a wrong --data is found before --overwrite removes an earlier run's checkpoint
    stale = checkpoint_dir(tmp_path / "old.keras")
    stale.mkdir()
    (stale / "state.json").write_text("{}")
    with pytest.raises(NSTError, match="not a complete prepared data folder"):
        T.train(tmp_path / "none", tmp_path / "old.keras", overwrite=True)
    assert (stale / "state.json").exists()


def test_mixed_precision_trains_and_ships_float32(vgg, prepared, tmp_path):
    from super_res import train as T

    out = tmp_path / "m.keras"
    hist = T.train(prepared, out, settings=T.Settings(precision="mixed", pixel_weight=1.0), epochs=1, batch_size=4,
                   steps_per_epoch=1)
    assert np.isfinite(hist["loss"]).all()
    state = json.loads((checkpoint_dir(out) / "state.json").read_text())
    assert state["settings"]["network_loss"]["precision"] == "mixed"  # resume keeps it
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left as it was
    shipped = keras.saving.load_model(out)
    assert {layer.compute_dtype for layer in shipped.layers} == {"float32"}
    assert shipped.count_params() == T.upsampler().count_params()


def test_nan_loss_stops_with_a_message(vgg, prepared, tmp_path, monkeypatch):
    from keras_nst.core.trainer import PerceptualLoss
    from super_res import train as T

    real = PerceptualLoss.__call__
    monkeypatch.setattr(PerceptualLoss, "__call__", lambda self, hr, sr: real(self, hr, sr) * np.nan)
    with pytest.raises(NSTError, match="loss became nan at epoch 1.*--lr"):
        T.train(prepared, tmp_path / "m.keras", epochs=2, batch_size=4, steps_per_epoch=2)
    assert not (tmp_path / "m.keras").exists()
    assert not (checkpoint_dir(tmp_path / "m.keras") / "state.json").exists()


@pytest.mark.slow
def test_cli_workflow_and_evaluate_schema(vgg, tmp_path, capsys, monkeypatch):
    from super_res.cli import main

    photos = tmp_path / "photos"
    photos.mkdir()
    for name, size in (("chelsea", (226, 150)), ("coffee", (200, 133)), ("astronaut", (160, 160))):  # odd, even
        Image.fromarray(skimage_rgb(name, size)).save(photos / f"{name}.png")
    Image.fromarray(skimage_rgb("rocket", (213, 142))).convert("L").save(photos / "gray.png")
    data, model = tmp_path / "data", tmp_path / "sr.keras"
    assert main(["prepare", "--src", str(photos), "--out", str(data), "--sizes", "16", "64",
                 "--crops-per-image", "2", "--chunk-len", "4", "--workers", "1"]) == 0
    assert main(["train", "--data", str(data), "--out", str(model), "--epochs", "1", "--batch-size", "4",
                 "--steps-per-epoch", "2", "--warmup", "1", "--loss-layers", "block2_conv2", "--arch", "course",
                 "--augment"]) == 0
    assert json.loads((checkpoint_dir(model) / "state.json").read_text())["settings"]["augment"] is True
    student = tmp_path / "student.keras"  # distilled from the first: the teacher's file, and resumable
    assert main(["train", "--data", str(data), "--out", str(student), "--epochs", "1", "--batch-size", "4",
                 "--steps-per-epoch", "1", "--feature-weight", "0", "--pixel-weight", "1", "--arch", "course",
                 "--init-from", str(model), "--distill-from", str(model), "--distill-weight", "0.3",
                 "--back-projection", "1", "--train-back-projected"]) == 0
    saved = json.loads((checkpoint_dir(student) / "state.json").read_text())["settings"]["network_loss"]
    assert (saved["distill_from"], saved["distill_weight"], saved["back_projection"], saved["train_back_projected"]) \
        == (str(model), 0.3, 1, True)
    rounds = lambda path: [getattr(layer, "iterations", None) for layer in keras.saving.load_model(path).layers]
    assert 1 in rounds(student) and not any(rounds(model))  # --arch course: none unless asked
    small = tmp_path / "small"
    small.mkdir()
    for name in ("coffee", "chelsea"):
        Image.fromarray(skimage_rgb(name, (50, 30))).save(small / f"{name}.png")
    assert main(["upscale", "--model", str(model), str(small / "coffee.png"), "--out", str(tmp_path / "out.png"),
                 "--tile", "80"]) == 0
    assert Image.open(tmp_path / "out.png").size == (200, 120)
    monkeypatch.chdir(tmp_path)
    assert main(["upscale", "--model", str(model), str(small), "--self-ensemble"]) == 0  # upscaled_x4/NAME_x4.png
    assert sorted(p.name for p in (tmp_path / "upscaled_x4").iterdir()) == ["chelsea_x4.png", "coffee_x4.png"]
    report, grid = tmp_path / "r.json", tmp_path / "g.png"
    assert main(["evaluate", "--model", str(model), "--images", str(photos), "--json", str(report),
                 "--grid", str(grid), "--self-ensemble"]) == 0
    r = json.loads(report.read_text())
    assert {"images", "mean", "models", "scale", "methods"} <= set(r) and len(r["images"]) == 4
    assert r["scale"] == 4
    assert r["methods"] == ["bicubic", "sr", "sr+"]
    for method in ("bicubic", "sr", "sr+"):
        assert set(r["mean"][method]) == {"psnr_y", "ssim_y", "psnr", "ssim", "vgg", "grid"}
        assert all(np.isfinite(list(i[method].values())).all() for i in r["images"])
    assert r["images"][0]["bicubic"]["psnr_y"] > r["images"][0]["bicubic"]["psnr"] > 15
    assert Image.open(grid).size[0] > 500
    x3 = tmp_path / "x3"
    x3.mkdir()
    Image.fromarray(skimage_rgb("rocket", (68, 49))).save(x3 / "rocket.png")
    assert main(["evaluate", "--model", str(model), "--images", str(x3), "--json", str(report), "--scale", "3"]) == 2
    earlier = capsys.readouterr()
    assert "r.json: already exists; pass --overwrite" in earlier.err  # an earlier report is kept
    assert main(["evaluate", "--model", str(model), "--images", str(x3), "--json", str(report), "--scale", "3",
                 "--overwrite"]) == 0
    r = json.loads(report.read_text())  # the papers' x3 table: 68x49 px cropped to a multiple of 3
    assert r["scale"] == 3 and r["images"][0]["size"] == [66, 48]
    out = earlier.out + capsys.readouterr().out
    assert "MEAN" in out and "psnr_y" in out and "2 image(s) in" in out and "with sr, self-ensemble" in out
    assert main(["upscale", "--model", str(tmp_path / "none.keras"), str(small)]) == 2
    assert "no such model file" in capsys.readouterr().err
    assert main(["upscale", "--model", str(model), str(small / "coffee.png"), "--out",
                 str(small / "coffee.png")]) == 2  # never over an input
    assert "is also an input" in capsys.readouterr().err
    (small / "zz.png").write_bytes(b"not a picture")  # found before the first output, not after it
    assert main(["upscale", "--model", str(model), str(small), "--out", str(tmp_path / "never")]) == 2
    assert "zz.png: not an image" in capsys.readouterr().err and not (tmp_path / "never").exists()


def test_loss_layer_settings_are_checked():
    from super_res.loss import sr_terms

    features, _ = sr_terms()
    assert features.layers == ("block1_conv2", "block2_conv2", "block3_conv2")
    with pytest.raises(NSTError, match="1 content layers but 2 content weights"):
        sr_terms(loss_layers=["block2_conv2"], layer_weights=[0.5, 0.5])
    with pytest.raises(NSTError, match="unknown VGG16 layer"):
        sr_terms(loss_layers=["block9_conv1"])
    with pytest.raises(NSTError, match="unknown --pixel-loss"):
        sr_terms(pixel_loss="l3")


DATA_PARALLEL = textwrap.dedent("""
    import json, sys
    from super_res.train import Settings, train
    data, out, parallel = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
    hist = train(data, out, settings=Settings(pixel_weight=1.0, feature_weight=0.0), epochs=2, batch_size=4,
                 steps_per_epoch=2, lr=1e-3, lr_final=1e-3, val_fraction=0, seed=0, data_parallel=parallel)
    print("LOSSES", json.dumps(hist["loss"]))
""")


@pytest.mark.slow
def test_data_parallel_follows_the_single_device_trajectory(prepared, tmp_path):
    pytest.importorskip("jax")
    env = dict(os.environ, KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    losses = {}
    for parallel in ("0", "1"):
        run = subprocess.run([sys.executable, "-c", DATA_PARALLEL, str(prepared), str(tmp_path / f"m{parallel}.keras"),
                              parallel], env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr[-3000:]
        losses[parallel] = json.loads(run.stdout.split("LOSSES")[-1])
        if parallel == "1":
            assert "data parallel over 2 devices" in run.stdout
    np.testing.assert_allclose(losses["1"], losses["0"], rtol=1e-3)


def test_console_shows_only_the_projects_own_lines(tmp_path):
    """TensorFlow's native start-up lines stay off the terminal unless the user asks for them."""
    model, image = tmp_path / "sr.keras", tmp_path / "in.png"
    upsampler().save(model)
    Image.fromarray(skimage_rgb("coffee", (20, 16))).save(image)
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    command = [sys.executable, "-m", "super_res", "upscale", "--model", str(model), str(image), "--out"]
    run = subprocess.run(command + [str(tmp_path / "a.png")], env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    noise = [line for line in run.stderr.splitlines() if "absl" in line or "cuda" in line.lower() or "I0000" in line]
    assert not noise and "wrote" in run.stdout and "upscale: 100%" in run.stderr  # our own lines still show
    loud = subprocess.run([sys.executable, "-m", "super_res", "--verbose"] + command[3:] + [str(tmp_path / "b.png")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert loud.returncode == 0 and len(loud.stderr) > len(run.stderr)


def test_upscale_refuses_what_is_not_a_x4_network(tmp_path, capsys):
    from super_res.cli import main

    image = tmp_path / "in.png"
    Image.fromarray(skimage_rgb("coffee", (20, 16))).save(image)
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 not really a zip")
    inp = keras.Input((8, 8, 3))
    keras.Model(inp, keras.layers.Dense(10)(keras.layers.Flatten()(inp))).save(tmp_path / "classifier.keras")
    same = keras.Input((None, None, 3))
    keras.Model(same, keras.layers.Conv2D(3, 3, padding="same")(same)).save(tmp_path / "x1.keras")
    for name, message in (("corrupt", "not a Keras model file this tool can load"),
                          ("classifier", "not an x4 super-resolution network"),
                          ("x1", "same size (a fast style model), not an x4 super-resolution")):
        assert main(["upscale", "--model", str(tmp_path / f"{name}.keras"), str(image), "--out",
                     str(tmp_path / "o.png")]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_evaluate_checks_its_outputs_before_any_work(tmp_path, capsys):
    from super_res.cli import main

    assert main(["evaluate", "--model", "psnr", "--images", str(tmp_path), "--json",
                 str(tmp_path / "missing" / "r.json")]) == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and err.count("\n") == 1
    (tmp_path / "broken.png").write_bytes(b"not a picture")  # named before any model loads or scores
    assert main(["evaluate", "--model", "psnr", "--images", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "broken.png: not an image" in err and err.count("\n") == 1


TRAIN_STEP = textwrap.dedent("""
    import sys, numpy as np, keras
    from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer
    from super_res.loss import sr_terms
    from super_res.model import upsampler
    keras.utils.set_random_seed(0)
    trainer = PerceptualTrainer(upsampler(), PerceptualLoss(sr_terms(pixel_weight=1.0), vgg_weights=sys.argv[1]))
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 255, (2, 8, 8, 3)).astype("float32"), rng.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    losses = [float(trainer.train_on_batch(x, y)) for _ in range(2)]
    assert all(np.isfinite(losses)), losses
    print("OK", keras.backend.backend())
""")


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_perceptual_training_step_on_other_backends(vgg, tmp_path, backend):
    """VGG16 features inside the training loss, differentiated by torch and JAX too."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    weights = tmp_path / "vgg.weights.h5"
    vgg.save_weights(str(weights))
    run = subprocess.run([sys.executable, "-c", TRAIN_STEP, str(weights)], env=dict(os.environ, KERAS_BACKEND=backend),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and f"OK {backend}" in run.stdout, run.stderr[-3000:]


def _cli(*argv):
    from super_res.cli import main

    return main([str(a) for a in argv])


def test_soup_averages_or_extrapolates_the_weights_and_never_overwrites(tmp_path, capsys):
    run = lambda *argv: _cli("soup", *argv)
    rng = np.random.default_rng(0)
    parts = []
    for i in range(2):
        model = upsampler(n_res=1, filters=8)
        model.set_weights([w + rng.normal(0, 0.05, w.shape).astype(w.dtype) for w in model.get_weights()])
        model.save(tmp_path / f"m{i}.keras")
        parts.append(model.get_weights())
    out = tmp_path / "soup.keras"
    assert run(tmp_path / "m0.keras", tmp_path / "m1.keras", "--out", out) == 0
    for got, a, b in zip(keras.saving.load_model(out).get_weights(), *parts):
        np.testing.assert_allclose(got, (a + b) / 2, rtol=1e-6, atol=1e-7)
    further = tmp_path / "further.keras"  # model extrapolation: m0 + (m0 - m1)
    assert run(tmp_path / "m0.keras", tmp_path / "m1.keras", "--weights", 2, -1, "--out", further) == 0
    for got, a, b in zip(keras.saving.load_model(further).get_weights(), *parts):
        np.testing.assert_allclose(got, 2 * a - b, rtol=1e-5, atol=1e-6)
    capsys.readouterr()
    assert run(tmp_path / "m0.keras", tmp_path / "m1.keras", "--weights", 1, 1, "--out", tmp_path / "x2.keras") == 2
    assert not (tmp_path / "x2.keras").exists() and "summing to 1" in capsys.readouterr().err
    before = out.read_bytes()
    assert run(tmp_path / "m0.keras", "--out", out) == 2  # an existing file is never overwritten
    assert out.read_bytes() == before and "never overwritten" in capsys.readouterr().err
    upsampler(n_res=2, filters=8).save(tmp_path / "deeper.keras")
    assert run(tmp_path / "m0.keras", tmp_path / "deeper.keras", "--out", tmp_path / "bad.keras") == 2
    assert not (tmp_path / "bad.keras").exists() and "not one architecture" in capsys.readouterr().err


def test_drawn_writes_reproducible_hard_edged_pictures_and_never_into_a_folder(tmp_path, capsys):
    run = lambda *argv: _cli("drawn", *argv)
    assert run("--out", tmp_path / "a", "--count", 3, "--size", 96, "--seed", 1) == 0
    assert run("--out", tmp_path / "b", "--count", 3, "--size", 96, "--seed", 1) == 0
    assert run("--out", tmp_path / "c", "--count", 3, "--size", 96, "--seed", 2) == 0
    pictures = {k: [np.asarray(Image.open(p)) for p in sorted((tmp_path / k).glob("*.png"))] for k in "abc"}
    assert [p.shape for p in pictures["a"]] == [(96, 96, 3)] * 3 and all(p.dtype == np.uint8 for p in pictures["a"])
    assert all(np.array_equal(x, y) for x, y in zip(pictures["a"], pictures["b"]))  # --seed reproduces them
    assert not any(np.array_equal(x, y) for x, y in zip(pictures["a"], pictures["c"]))
    for p in pictures["a"]:  # drawn, not photographed: steps of most of the range between neighbours
        assert np.abs(np.diff(p.astype(int), axis=1)).max() > 100
    capsys.readouterr()
    before = sorted(os.listdir(tmp_path / "a"))
    assert run("--out", tmp_path / "a", "--count", 1) == 2  # an existing folder is never written into
    assert sorted(os.listdir(tmp_path / "a")) == before and "never written into" in capsys.readouterr().err
    assert run("--out", tmp_path / "d", "--count", 0) == 2 and not (tmp_path / "d").exists()
