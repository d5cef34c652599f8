"""export: trained networks as ONNX, LiteRT and SavedModel files, each checked by its own runtime
against Keras before it is written; refusals leave nothing behind."""

import importlib.util
import os

import keras
import numpy as np
import pytest
from PIL import Image

import keras_nst.core.export as E
from keras_nst.cli import main
from keras_nst.fast_style import transform_net
from keras_nst.fast_style.defaults import MODELS as STYLES
from super_res.cli import main as sr_main
from super_res.defaults import MODELS as SR_MODELS

from helpers import skimage_rgb

has = lambda *modules: all(importlib.util.find_spec(m) for m in modules)
needs = {f: pytest.mark.skipif(not has(*E.NEEDS[f]), reason=f"the export extra is not installed: {E.EXTRA}")
         for f in E.NEEDS}


@pytest.fixture
def tiny(tmp_path):
    """A small fast style network as fast-train saves one, and a photo to check it on."""
    keras.utils.set_random_seed(0)
    model = tmp_path / "tiny.keras"
    transform_net(filters=4, n_res=1).save(model)
    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("chelsea", (96, 64))).save(photo)
    return model, photo


def run(capsys, command, *argv):
    code = command([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _stylised(model, photo, fmt, path):
    """(Keras' result, the exported file's in its runtime) on ``photo``, a size the check did not use."""
    batch = np.asarray(photo, "float32")[None]
    return keras.saving.load_model(model).predict_on_batch(batch), E.runner(path, fmt)(batch)



def test_repeat_upsampling_is_upsampling2d():
    """The layer exports are traced with: the same values as Keras' nearest ``UpSampling2D``."""
    from keras_nst.core.layers import RepeatUpsampling2D

    x = np.random.default_rng(0).normal(size=(2, 3, 5, 4)).astype("float32")
    for size in (2, (2, 3)):
        want = keras.ops.convert_to_numpy(keras.layers.UpSampling2D(size)(x))
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(RepeatUpsampling2D(size)(x)), want)
        assert RepeatUpsampling2D(size).compute_output_shape((2, 3, None, 4))[1::2] == (want.shape[1], 4)

@needs["onnx"]
def test_onnx_export_runs_in_onnxruntime_at_any_size(tiny, tmp_path, capsys, monkeypatch):
    model, photo = tiny
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, main, "export", "--model", model, "--format", "onnx", "--photo", photo)
    assert code == 0, err
    assert "wrote tiny.onnx (onnx," in out and "onnxruntime on a 382x255 photo" in out and "45 dB" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "tiny.keras", "tiny.onnx"]  # no temporary left
    keras_out, onnx_out = _stylised(model, skimage_rgb("coffee", (70, 50)), "onnx", tmp_path / "tiny.onnx")
    assert onnx_out.shape == (1, 50, 70, 3) and E.psnr(onnx_out, keras_out) > 60
    code, _, err = run(capsys, main, "export", "--model", model, "--format", "onnx", "--out", tmp_path / "tiny.onnx")
    assert code == 2 and "tiny.onnx: already exists; pass --overwrite" in err and len(err.splitlines()) == 1


@needs["litert"]
def test_litert_export_runs_in_the_litert_interpreter(tiny, tmp_path, capsys):
    model, photo = tiny
    out = tmp_path / "tiny.tflite"
    code, stdout, err = run(capsys, main, "export", "--model", model, "--format", "litert", "--out", out,
                            "--photo", photo)
    assert code == 0, err
    assert "the LiteRT interpreter on a 382x255 photo" in stdout
    keras_out, lite_out = _stylised(model, skimage_rgb("coffee", (70, 50)), "litert", out)
    assert lite_out.shape == (1, 50, 70, 3) and E.psnr(lite_out, keras_out) > 60


@pytest.mark.parametrize("fmt", ["savedmodel", pytest.param("onnx", marks=needs["onnx"])])
def test_a_failed_check_writes_nothing(tiny, tmp_path, capsys, monkeypatch, fmt):
    """The runtime's result 20 grey levels off (about 22 dB): refused in one line, no file or folder left, not
    even a temporary one; an existing output stays as it was."""
    model, photo = tiny
    out = tmp_path / ("old" + E.EXPORT_FORMATS[fmt])

    def convert(model, path, fmt):  # the conversion itself is tested above: here only what follows it
        with open(path if fmt != "savedmodel" else os.path.join(path, "saved_model.pb"), "wb") as f:
            f.write(b"converted")

    monkeypatch.setattr(E, "convert", convert)
    monkeypatch.setattr(E, "runner", lambda path, fmt: lambda batch: keras_result(batch) + 20)
    net = keras.saving.load_model(model)
    keras_result = net.predict_on_batch
    before = sorted(os.listdir(tmp_path))
    code, _, err = run(capsys, main, "export", "--model", model, "--format", fmt, "--out", out, "--photo", photo)
    assert code == 2 and len(err.splitlines()) == 1
    assert "not written" in err and " dB PSNR from the Keras network" in err and "below the 45 dB required" in err
    assert sorted(os.listdir(tmp_path)) == before
    if fmt == "onnx":  # an existing file, with --overwrite, is kept when the new one fails its check
        out.write_bytes(b"old")
        assert run(capsys, main, "export", "--model", model, "--format", fmt, "--out", out, "--overwrite",
                   "--photo", photo)[0] == 2
        assert out.read_bytes() == b"old"


def test_savedmodel_folder_is_written_whole_and_replaced_only_when_asked(tiny, tmp_path, capsys):
    model, photo = tiny
    out = tmp_path / "sm"
    code, stdout, err = run(capsys, main, "export", "--model", model, "--format", "savedmodel", "--out", out,
                            "--photo", photo)
    assert code == 0, err
    assert "TensorFlow on a 382x255 photo: the same result as the Keras network" in stdout
    assert (out / "saved_model.pb").is_file() and oct(out.stat().st_mode & 0o777) != "0o700"
    code, _, err = run(capsys, main, "export", "--model", model, "--format", "savedmodel", "--out", out)
    assert code == 2 and "sm: already exists; pass --overwrite" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "sm", "tiny.keras"]


@pytest.mark.parametrize("fmt", ["onnx", "litert"])
def test_a_missing_extra_is_named_in_one_line(tmp_path, capsys, monkeypatch, fmt):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in E.NEEDS[fmt] else real(name, *a))
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, main, "export", "--format", fmt)
    assert code == 2 and len(err.splitlines()) == 1
    assert f"--format {fmt} needs {E.NEEDS[fmt][0]}" in err and "pip install 'keras-nst[export]'" in err
    assert not list(tmp_path.iterdir())


def test_bad_names_and_options_are_one_line_errors(tiny, tmp_path, capsys, monkeypatch):
    model, photo = tiny
    monkeypatch.chdir(tmp_path)
    tiny_photo = tmp_path / "strip.png"
    Image.fromarray(skimage_rgb("coffee", (400, 40))).save(tiny_photo)
    cases = [
        (main, ["--model", "van_gogh", "--format", "savedmodel"], "van_gogh: no such model file"),
        (main, ["--model", "van_gogh", "--format", "savedmodel"], "starry_night"),  # names the shipped ones
        (sr_main, ["--model", "x8", "--format", "savedmodel"], "x8: no such model file"),
        (main, ["--model", model, "--format", "savedmodel", "--out", "no/such/sm"], "folder no/such does not exist"),
        (main, ["--model", model, "--format", "savedmodel", "--out", photo], "is a file; a SavedModel is a folder"),
        (main, ["--model", model, "--format", "savedmodel", "--photo", tmp_path / "none.jpg"], "none.jpg"),
        (main, ["--model", model, "--format", "savedmodel", "--photo", tiny_photo], "narrower than 64 px"),
    ]
    if has(*E.NEEDS["onnx"]):
        cases.append((main, ["--model", model, "--format", "onnx", "--out", "m.tflite"], "unknown type '.tflite'"))
    for command, argv, message in cases:
        code, _, err = run(capsys, command, "export", *argv)
        assert code == 2 and message in err and len(err.splitlines()) == 1, (argv, err)
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    code, _, err = run(capsys, main, "export", "--model", model, "--format", "savedmodel")
    assert code == 2 and "KERAS_BACKEND=tensorflow" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.png", "strip.png", "tiny.keras"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["onnx", "litert"])
@pytest.mark.parametrize("command, name", [(main, s) for s in STYLES] + [(sr_main, m) for m in SR_MODELS])
def test_every_shipped_network_exports(tmp_path, capsys, fmt, command, name):
    if not has(*E.NEEDS[fmt]):
        pytest.skip(f"the export extra is not installed: {E.EXTRA}")
    out = tmp_path / f"{name}{E.EXPORT_FORMATS[fmt]}"
    code, stdout, err = run(capsys, command, "export", "--model", name, "--format", fmt, "--out", out)
    assert code == 0, err
    assert f"wrote {out}" in stdout and out.is_file()


@needs["onnx"]
def test_a_shipped_decoder_exports_checked_on_the_photos_features(tmp_path, capsys, monkeypatch, wheel_onnx):
    """An arbitrary-style decoder takes VGG16 features, not a picture: its file is checked on the photo's."""
    from keras_nst.arbitrary.defaults import MODELS as DECODERS

    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, main, "export", "--model", DECODERS[0], "--format", "onnx")
    assert code == 0, err
    assert f"wrote {DECODERS[0]}.onnx (onnx," in out and "photo's features (64 channels)" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{DECODERS[0]}.onnx"]
