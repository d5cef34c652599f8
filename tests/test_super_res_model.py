"""super_res network: ReflectionPadding2D, save/load on several backends, training, resume, upscale, evaluate."""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from PIL import Image

from keras_nst.errors import NSTError
from super_res.layers import ReflectionPadding2D
from super_res.model import upsampler
from super_res.upscale import upscale
from conftest import skimage_rgb

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
    from super_res.model import upsampler
    mode, path, data = sys.argv[1:4]
    x = np.load(data)["x"]
    if mode == "save":
        keras.utils.set_random_seed(0)
        model = upsampler()
        model.save(path)
    model = keras.saving.load_model(path)  # the layer registers itself on import of super_res
    np.save(data + "." + keras.backend.backend() + ".npy", keras.ops.convert_to_numpy(model(x, training=False)))
""")


def run_backend(backend, *args):
    env = dict(os.environ, KERAS_BACKEND=backend)
    run = subprocess.run([sys.executable, "-c", SAVE_LOAD, *map(str, args)], env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]


def test_model_saves_and_loads_on_every_backend(tmp_path):
    data = tmp_path / "x.npz"
    np.savez(data, x=np.random.default_rng(0).uniform(0, 255, (1, 12, 20, 3)).astype("float32"))
    path = tmp_path / "sr.keras"
    run_backend("tensorflow", "save", path, data)
    ref = np.load(f"{data}.tensorflow.npy")
    assert ref.shape == (1, 48, 80, 3)
    for other in ("jax", "torch"):
        if importlib.util.find_spec(other) is None:
            continue
        run_backend(other, "load", path, data)
        np.testing.assert_allclose(np.load(f"{data}.{other}.npy"), ref, atol=1e-2)


def test_upscale_any_shape_and_tiles_without_seams():
    keras.utils.set_random_seed(1)
    model = upsampler("deconv")
    lr = skimage_rgb("coffee", (70, 45))  # non-square, odd sizes
    whole = upscale(model, lr)
    assert whole.shape == (180, 280, 3) and whole.dtype == np.uint8
    tiled = upscale(model, lr, tile=40)  # tiles of 40 px with 16 px overlap: 8 px cores
    assert np.abs(tiled.astype(int) - whole).max() <= 1
    with pytest.raises(NSTError, match="must exceed twice the overlap"):
        upscale(model, lr, tile=30)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    from super_res.prepare import prepare

    src = tmp_path_factory.mktemp("photos")
    for name in ("chelsea", "coffee", "astronaut", "rocket"):
        Image.fromarray(skimage_rgb(name)).save(src / f"{name}.jpg")
    out = tmp_path_factory.mktemp("data") / "prepared"
    prepare(src, out, sizes=(16, 64), workers=1, crops_per_image=4, chunklen=4, seed=0)
    return out


def test_two_steps_lower_the_loss(vgg, prepared, tmp_path):
    from super_res.train import train

    hist = train(prepared, tmp_path / "m.keras", epochs=2, batch_size=4, steps_per_epoch=1, lr=3e-3,
                 lr_final=1e-3, pixel_weight=1.0, val_fraction=0.25)
    assert len(hist["loss"]) == 2 and hist["loss"][1] < hist["loss"][0]
    assert "val_loss" in hist and np.isfinite(hist["val_loss"]).all()
    assert (tmp_path / "m.keras").is_file()
    assert keras.saving.load_model(tmp_path / "m.keras")(np.zeros((1, 8, 8, 3))).shape == (1, 32, 32, 3)


def test_resume_continues_the_epochs_and_optimiser(vgg, prepared, tmp_path):
    from super_res import train as T

    out = tmp_path / "m.keras"
    T.train(prepared, out, epochs=1, batch_size=4, steps_per_epoch=2, upsample="deconv")
    state = json.loads((T.checkpoint_dir(out) / "state.json").read_text())
    assert state["epoch"] == 1 and state["upsample"] == "deconv"
    with pytest.raises(NSTError, match="already exists"):
        T.train(prepared, out, epochs=2, batch_size=4, steps_per_epoch=2)
    hist = T.train(prepared, out, epochs=2, batch_size=4, steps_per_epoch=2, resume=True)
    assert len(hist["loss"]) == 1  # only the second epoch ran
    slots = np.load(T.checkpoint_dir(out) / "optimizer.npz")
    assert int(slots["arr_0"]) == 4  # Adam's step counter went on from 2
    assert json.loads((T.checkpoint_dir(out) / "state.json").read_text())["epoch"] == 2
    with pytest.raises(NSTError, match="already trained for 2 epochs"):
        T.train(prepared, out, epochs=2, batch_size=4, resume=True)


def test_mixed_precision_trains_and_ships_float32(vgg, prepared, tmp_path):
    from super_res import train as T

    out = tmp_path / "m.keras"
    hist = T.train(prepared, out, epochs=1, batch_size=4, steps_per_epoch=1, precision="mixed", pixel_weight=1.0)
    assert np.isfinite(hist["loss"]).all()
    assert json.loads((T.checkpoint_dir(out) / "state.json").read_text())["precision"] == "mixed"  # resume keeps it
    ckpt = keras.saving.load_model(T.checkpoint_dir(out) / "model.keras")
    assert "bfloat16" in {layer.compute_dtype for layer in ckpt.layers}
    assert keras.config.dtype_policy().name == "float32"  # the global policy is left as it was
    shipped = keras.saving.load_model(out)
    assert {layer.compute_dtype for layer in shipped.layers} == {"float32"}
    x = np.random.default_rng(0).uniform(0, 255, (1, 8, 8, 3)).astype("float32")
    np.testing.assert_allclose(shipped(x), keras.ops.cast(ckpt(x), "float32"), atol=4)  # same weights


def test_nan_loss_stops_with_a_message(vgg, prepared, tmp_path, monkeypatch):
    from super_res import train as T
    from super_res.loss import PerceptualLoss

    real = PerceptualLoss.__call__
    monkeypatch.setattr(PerceptualLoss, "__call__", lambda self, hr, sr: real(self, hr, sr) * np.nan)
    with pytest.raises(NSTError, match="loss became NaN at epoch 1, batch 1"):
        T.train(prepared, tmp_path / "m.keras", epochs=2, batch_size=4, steps_per_epoch=2)
    assert not (tmp_path / "m.keras").exists()
    assert not (T.checkpoint_dir(tmp_path / "m.keras") / "state.json").exists()


def test_cli_workflow_and_evaluate_schema(vgg, tmp_path, capsys):
    from super_res.cli import main

    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("chelsea", "coffee", "astronaut"):
        Image.fromarray(skimage_rgb(name)).save(photos / f"{name}.png")
    Image.fromarray(skimage_rgb("rocket")).convert("L").save(photos / "gray.png")
    data, model = tmp_path / "data", tmp_path / "sr.keras"
    assert main(["prepare", "--src", str(photos), "--out", str(data), "--sizes", "16", "64",
                 "--crops-per-image", "2", "--chunk-len", "4", "--workers", "1"]) == 0
    assert main(["train", "--data", str(data), "--out", str(model), "--epochs", "1", "--batch-size", "4",
                 "--steps-per-epoch", "1", "--loss-layers", "block2_conv2"]) == 0
    big = tmp_path / "in.png"
    Image.fromarray(skimage_rgb("coffee", (50, 30))).save(big)
    assert main(["upscale", "--model", str(model), str(big), str(tmp_path / "out.png"), "--tile", "36"]) == 0
    assert Image.open(tmp_path / "out.png").size == (200, 120)
    report, grid = tmp_path / "r.json", tmp_path / "g.png"
    assert main(["evaluate", "--model", str(model), "--images", str(photos), "--json", str(report),
                 "--grid", str(grid)]) == 0
    r = json.loads(report.read_text())
    assert {"images", "mean", "model", "scale"} <= set(r) and len(r["images"]) == 4
    for method in ("bicubic", "model"):
        assert set(r["mean"][method]) == {"psnr", "ssim", "vgg"}
        assert all(np.isfinite(list(i[method].values())).all() for i in r["images"])
    assert r["images"][0]["bicubic"]["psnr"] > 15
    assert Image.open(grid).size[0] > 500
    out = capsys.readouterr().out
    assert "MEAN" in out and "bicubic psnr" in out
    assert main(["upscale", "--model", str(tmp_path / "none.keras"), str(big), str(tmp_path / "o.png")]) == 2
    assert "no such model file" in capsys.readouterr().err


def test_loss_layer_settings_are_checked(vgg):
    from super_res.loss import PerceptualLoss

    assert PerceptualLoss().weights == [0.1, 0.8, 0.1]
    assert PerceptualLoss(["block2_conv2"]).weights == [1.0]  # the lesson's single layer
    with pytest.raises(NSTError, match="1 loss layers but 2 loss weights"):
        PerceptualLoss(["block2_conv2"], [0.5, 0.5])
    with pytest.raises(NSTError, match="unknown VGG16 layer"):
        PerceptualLoss(["block9_conv1"])
