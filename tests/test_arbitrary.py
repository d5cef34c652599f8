"""Any painting in one pass (AdaIN): the transform, the decoder's save and load with plain Keras,
training from the command line, ``fast-stylize --style``, and bad input as one line."""

import numpy as np
import pytest
from PIL import Image

from helpers import skimage_rgb


def test_adain_gives_the_photos_features_the_paintings_statistics():
    from keras import ops

    from keras_nst.arbitrary.model import adain, moments

    rng = np.random.default_rng(0)
    content = rng.normal(2, 3, (1, 6, 5, 4)).astype("float32")
    style = rng.normal(-1, 0.5, (1, 7, 9, 4)).astype("float32") * np.arange(1, 5, dtype="float32")
    t = adain(ops.convert_to_tensor(content), ops.convert_to_tensor(style))
    (tm, ts), (sm, ss) = moments(t), moments(ops.convert_to_tensor(style))
    np.testing.assert_allclose(ops.convert_to_numpy(tm), ops.convert_to_numpy(sm), atol=1e-4)
    np.testing.assert_allclose(ops.convert_to_numpy(ts), ops.convert_to_numpy(ss), rtol=1e-3)
    kept = adain(ops.convert_to_tensor(content), ops.convert_to_tensor(style), alpha=0.0)
    np.testing.assert_allclose(ops.convert_to_numpy(kept), content, atol=1e-5)


def test_the_decoder_saves_and_loads_with_plain_keras(tmp_path):
    import keras

    import keras_nst  # noqa: F401  (registers the project's layers on Keras' import)
    from keras_nst.arbitrary.model import decoder

    net = decoder((16, 8, 4))
    path = tmp_path / "d.keras"
    net.save(path)
    again = keras.saving.load_model(path)
    x = np.random.default_rng(1).normal(0, 1, (1, 3, 5, 512)).astype("float32")
    assert again.predict(x, verbose=0).shape == (1, 24, 40, 3)
    np.testing.assert_allclose(again.predict(x, verbose=0), net.predict(x, verbose=0), atol=1e-4)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, wheel_onnx):
    """A decoder trained for 2 steps on 32 px crops from the command line (not a good one: a real file)."""
    from keras_nst.cli import main

    root = tmp_path_factory.mktemp("arbitrary")
    for folder, names in (("photos", ("chelsea", "astronaut")), ("paintings", ("coffee", "rocket"))):
        (root / folder).mkdir()
        for name in names:
            Image.fromarray(skimage_rgb(name, (80, 64))).save(root / folder / f"{name}.png")
    out = root / "d.keras"
    assert main(["arbitrary-train", "--photos", str(root / "photos"), "--paintings", str(root / "paintings"),
                 "--out", str(out), "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "2",
                 "--crop", "32"]) == 0
    return root, out


def test_training_writes_a_decoder_and_resume_keeps_its_settings(trained, capsys):
    from keras_nst.cli import main

    root, out = trained
    assert out.is_file() and (root / "d.keras.ckpt" / "state.json").is_file()
    assert main(["arbitrary-train", "--photos", str(root / "photos"), "--paintings", str(root / "paintings"),
                 "--out", str(out), "--epochs", "2", "--resume", "--precision", "mixed"]) == 2
    assert "trained with --precision float32, not mixed" in capsys.readouterr().err


def test_fast_stylize_paints_a_photo_like_any_painting(trained, tmp_path, capsys, monkeypatch):
    from keras_nst.cli import main

    root, decoder = trained
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    assert main(["fast-stylize", "photo.png", "--style", str(root / "paintings" / "coffee.png"), "--model",
                 str(decoder), "--alpha", "0.8"]) == 0
    assert Image.open(tmp_path / "photo_coffee.png").size == (96, 64)
    assert "1 image(s)" in capsys.readouterr().out


@pytest.mark.parametrize("flags, message", [
    (["--style", "notes.jpg"], "notes.jpg"),
    (["--style", "tiny.png"], "tiny.png"),
    (["--style", "art.png", "--alpha", "1.5"], "--alpha 1.5: a number from 0"),
    (["--alpha", "0.5"], "--alpha goes with --style PAINTING"),
    (["--style", "art.png", "--model", "starry_night"], "starry_night: no such model file"),
    (["--style", "art.png", "--model", "photo.png"], "not an arbitrary-style decoder"),
])
def test_bad_input_is_one_line(tmp_path, capsys, monkeypatch, flags, message):
    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save("art.png")
    Image.fromarray(skimage_rgb("coffee", (16, 12))).save("tiny.png")
    (tmp_path / "notes.jpg").write_text("not a picture")
    assert main(["fast-stylize", "photo.png", *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not list(tmp_path.glob("photo_*.png"))


def test_without_a_shipped_decoder_style_says_how_to_get_one(tmp_path, capsys, monkeypatch):
    from keras_nst.arbitrary import options
    from keras_nst.cli import main

    monkeypatch.setattr(options.REGISTRY, "folder", tmp_path)  # an install without the decoder file
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save("art.png")
    assert main(["fast-stylize", "photo.png", "--style", "art.png"]) == 2
    assert "train one with 'arbitrary-train'" in capsys.readouterr().err
