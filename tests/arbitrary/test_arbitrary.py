"""Any painting in one pass: the closed-form transforms, the reconstruction decoders' shapes and
their save and load with plain Keras, training from the command line (``--start`` from a shallower
level, ``--resume``), ``fast-stylize --style``, ``transfer --init arbitrary``, and bad input as one line."""

import numpy as np
import pytest
from PIL import Image

from helpers import skimage_rgb


def _features(seed, shape, scale):
    rng = np.random.default_rng(seed)
    mix = rng.normal(0, 1, (shape[-1], shape[-1])).astype("float32")
    return (rng.normal(0, 1, shape).astype("float32") @ mix) * scale + rng.normal(0, 2, shape[-1]).astype("float32")


@pytest.mark.parametrize("method", ["ot", "wct"])
def test_ot_and_wct_give_the_photo_the_paintings_covariance(method):
    from keras import ops

    from keras_nst.arbitrary.transforms import statistics, transform

    photo, art = _features(0, (1, 20, 30, 6), 1.0), _features(1, (1, 25, 20, 6), 3.0)
    style = statistics(art)
    moved = transform(photo, style, method=method)
    mean, cov = (ops.convert_to_numpy(s) for s in statistics(moved))
    np.testing.assert_allclose(mean, ops.convert_to_numpy(style[0]), atol=1e-3)
    np.testing.assert_allclose(cov, ops.convert_to_numpy(style[1]), rtol=2e-3, atol=2e-3)
    kept = transform(photo, style, method=method, alpha=0.0)
    np.testing.assert_allclose(ops.convert_to_numpy(kept), photo, atol=1e-5)


def test_ot_moves_the_features_less_than_wct_and_adain_matches_each_channel():
    from keras import ops

    from keras_nst.arbitrary.transforms import statistics, transform

    photo, art = _features(2, (1, 16, 16, 5), 1.0), _features(3, (1, 16, 16, 5), 2.0)
    style = statistics(art)
    moved = {m: ops.convert_to_numpy(transform(photo, style, method=m)) for m in ("ot", "wct", "adain")}
    assert ((moved["ot"] - photo) ** 2).mean() < ((moved["wct"] - photo) ** 2).mean()
    f = moved["adain"].reshape(-1, 5)
    np.testing.assert_allclose(f.mean(0), art.reshape(-1, 5).mean(0), atol=1e-3)
    np.testing.assert_allclose(f.std(0, ddof=1), art.reshape(-1, 5).std(0, ddof=1), rtol=1e-3)


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_each_levels_decoder_gives_back_the_pictures_size(level, tmp_path):
    import keras

    import keras_nst  # noqa: F401  (registers the project's layers on Keras' import)
    from keras_nst.arbitrary.defaults import LEVELS
    from keras_nst.arbitrary.model import decoder

    net = decoder(LEVELS[level - 1], widths=(8, 8, 8))
    channels = (64, 128, 256, 512)[level - 1]
    x = np.random.default_rng(1).normal(0, 1, (1, 3, 5, channels)).astype("float32")
    side = 2 ** (level - 1)
    assert net.predict(x, verbose=0).shape == (1, 3 * side, 5 * side, 3)
    if level == 2:
        net.save(tmp_path / "d.keras")
        again = keras.saving.load_model(tmp_path / "d.keras")
        np.testing.assert_allclose(again.predict(x, verbose=0), net.predict(x, verbose=0), atol=1e-4)


def _train(root, level, *extra):
    from keras_nst.cli import main

    out = root / f"decoder_{level}.keras"
    assert main(["arbitrary-train", "--level", level, "--photos", str(root / "photos"), "--paintings",
                 str(root / "paintings"), "--out", str(out), "--epochs", "1", "--steps-per-epoch", "2",
                 "--batch-size", "2", "--crop", "32", *extra]) == 0
    return out


@pytest.fixture(scope="module")
def trained(tmp_path_factory, wheel_onnx):
    """Decoders of levels 1 and 2 trained for 2 steps on 32 px crops from the command line, the
    second started from the first (not good ones: real files)."""
    root = tmp_path_factory.mktemp("arbitrary")
    for folder, names in (("photos", ("chelsea", "astronaut")), ("paintings", ("coffee", "rocket"))):
        (root / folder).mkdir()
        for name in names:
            Image.fromarray(skimage_rgb(name, (80, 64))).save(root / folder / f"{name}.png")
    first = _train(root, "block1_conv1")
    return root, [first, _train(root, "block2_conv1", "--start", str(first))]


def test_training_writes_decoders_and_resume_keeps_their_settings(trained, capsys):
    from keras_nst.arbitrary.inference import load_decoder
    from keras_nst.cli import main

    root, (first, second) = trained
    assert (root / "decoder_block2_conv1.keras.ckpt" / "state.json").is_file()
    assert [load_decoder(p).level for p in (first, second)] == ["block1_conv1", "block2_conv1"]
    common = ["--photos", str(root / "photos"), "--paintings", str(root / "paintings"), "--out", str(second),
              "--epochs", "2", "--resume"]
    assert main(["arbitrary-train", *common, "--precision", "mixed"]) == 2
    assert "trained with --precision float32, not mixed" in capsys.readouterr().err
    assert main(["arbitrary-train", *common, "--level", "block3_conv1"]) == 2
    assert "trained with --level block2_conv1, not block3_conv1" in capsys.readouterr().err


def test_a_decoder_starts_only_from_a_shallower_one(trained, capsys):
    from keras_nst.cli import main

    root, (first, second) = trained
    assert main(["arbitrary-train", "--level", "block1_conv1", "--start", str(second), "--photos",
                 str(root / "photos"), "--paintings", str(root / "paintings"), "--out", str(root / "x.keras"),
                 "--epochs", "1", "--steps-per-epoch", "1", "--batch-size", "2", "--crop", "32"]) == 2
    assert "not a shallower level's decoder" in capsys.readouterr().err
    assert not (root / "x.keras").exists()


@pytest.mark.parametrize("flags", [[], ["--transform", "wct", "--alpha", "0.5,1"], ["--transform", "adain"]])
def test_fast_stylize_paints_a_photo_like_any_painting(trained, tmp_path, capsys, monkeypatch, flags):
    from keras_nst.cli import main

    root, decoders = trained
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    models = [arg for d in decoders for arg in ("--model", str(d))]
    assert main(["fast-stylize", "photo.png", "--style", str(root / "paintings" / "coffee.png"), *models, *flags]) == 0
    assert Image.open(tmp_path / "photo_coffee.png").size == (96, 64)
    assert "1 image(s)" in capsys.readouterr().out


def test_transfer_starts_from_the_one_pass_painting(trained, tmp_path, capsys, monkeypatch):
    from keras_nst.arbitrary import options
    from keras_nst.cli import main

    root, decoders = trained
    monkeypatch.setattr(options.REGISTRY, "folder", root)  # the trained decoders stand for shipped ones
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    assert main(["transfer", "--content", "photo.png", "--style", str(root / "paintings" / "coffee.png"),
                 "--init", "arbitrary", "--size", "64", "--iters", "1", "--out", "out.png"]) == 0
    assert Image.open(tmp_path / "out.png").size == (64, 43)


@pytest.mark.parametrize("flags, message", [
    (["--style", "notes.jpg"], "notes.jpg"),
    (["--style", "tiny.png"], "tiny.png"),
    (["--style", "art.png", "--alpha", "1.5"], "--alpha 1.5: a number from 0"),
    (["--alpha", "0.5"], "--alpha: for --style PAINTING"),
    (["--transform", "wct"], "--transform: for --style PAINTING"),
    (["--style", "art.png", "--model", "starry_night"], "starry_night: no such model file"),
    (["--style", "art.png", "--model", "photo.png"], "not an arbitrary-style decoder"),
    (["--model", "candy", "--model", "the_scream"], "--model given twice: one style network"),
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


def test_without_shipped_decoders_style_and_init_say_how_to_get_them(tmp_path, capsys, monkeypatch):
    from keras_nst.arbitrary import options
    from keras_nst.cli import main

    monkeypatch.setattr(options.REGISTRY, "folder", tmp_path)  # an install without the decoder files
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("astronaut", (96, 64))).save("photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save("art.png")
    assert main(["fast-stylize", "photo.png", "--style", "art.png"]) == 2
    assert "train them with 'arbitrary-train'" in capsys.readouterr().err
    assert main(["transfer", "--content", "photo.png", "--style", "art.png", "--init", "arbitrary"]) == 2
    assert "train them with 'arbitrary-train'" in capsys.readouterr().err
    assert not list(tmp_path.glob("photo_*.png"))


def test_the_shipped_decoders_paint_any_painting_by_default(tmp_path, capsys, monkeypatch, wheel_onnx):
    from keras_nst.arbitrary.defaults import MODELS
    from keras_nst.arbitrary.options import REGISTRY
    from keras_nst.cli import main

    assert REGISTRY.shipped() == list(MODELS)
    monkeypatch.chdir(tmp_path)
    photo = skimage_rgb("astronaut", (96, 64))
    Image.fromarray(photo).save("photo.png")
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save("art.png")
    assert main(["fast-stylize", "photo.png", "--style", "art.png"]) == 0
    out = np.asarray(Image.open(tmp_path / "photo_art.png"), dtype="float32")
    assert out.shape == photo.shape and out.std() > 10  # a picture, not a flat or garbage field
    assert np.corrcoef(out.mean(-1).ravel(), photo.mean(-1).ravel())[0, 1] > 0.3  # the photo's subject kept
