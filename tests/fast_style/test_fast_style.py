"""Fast style transfer: the transform net's sizes and crop arithmetic, a training step, save/load on
every backend, fast-train / fast-stylize on folders, resume, and bad inputs."""

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

from keras_nst.core.errors import NSTError
from keras_nst.core.layers import CropLike, PadToMultiple
from keras_nst.fast_style import Settings, stylize, transform_net

from helpers import make_clip, prepare_tiny, skimage_rgb

TINY = dict(filters=8, n_res=1)  # the paper's shape, a fraction of its width and depth


@pytest.mark.parametrize("upsample", ["resize", "deconv3", "deconv4"])
@pytest.mark.parametrize("norm", ["instance", "batch"])
def test_output_size_is_input_size_on_odd_sizes(norm, upsample):
    net = transform_net(norm=norm, upsample=upsample, **TINY)
    for h, w in [(64, 64), (45, 67), (81, 50)]:
        out = net(np.zeros((1, h, w, 3), "float32"))
        assert tuple(out.shape) == (1, h, w, 3)
    photo = skimage_rgb("chelsea", (23, 9))  # smaller than the 8 px mirror pad allows: padded first
    assert stylize(net, photo, tile=None).shape == (9, 23, 3)


@pytest.mark.parametrize("n_res", [1, 2, 5])
def test_crop_arithmetic(n_res):
    """The wide input pad is exactly what the valid convs of the residual blocks remove: the last conv's
    output is the padded-to-4 input's size, so CropLike only undoes PadToMultiple."""
    net = transform_net(filters=4, n_res=n_res)
    pad = [layer for layer in net.layers if type(layer).__name__ == "ReflectionPadding2D"][0]
    assert pad.padding == (8 * n_res, 8 * n_res)
    before_crop = keras.Model(net.input, net.get_layer("stylized").input[0])
    assert tuple(before_crop(np.zeros((1, 61, 70, 3), "float32")).shape) == (1, 64, 72, 3)
    crops = [layer for layer in net.layers if isinstance(layer, keras.layers.Cropping2D)]
    assert len(crops) == n_res and all(c.cropping == ((2, 2), (2, 2)) for c in crops)


def test_pad_to_multiple_mirrors_and_crop_like_undoes_it():
    x = np.arange(5 * 7, dtype="float32").reshape(1, 5, 7, 1)
    padded = keras.ops.convert_to_numpy(PadToMultiple(4)(x))
    np.testing.assert_array_equal(padded, np.pad(x, [(0, 0), (0, 3), (0, 1), (0, 0)], mode="reflect"))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(CropLike()([padded, x])), x)
    assert PadToMultiple(4).compute_output_shape((1, 5, None, 3)) == (1, 8, None, 3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(PadToMultiple(4)(padded)), padded)  # already a multiple


def test_bad_network_choices():
    with pytest.raises(NSTError, match="--norm"):
        transform_net(norm="layer")
    with pytest.raises(NSTError, match="--upsample"):
        transform_net(upsample="bilinear")


def test_training_steps_lower_the_loss(vgg):
    from keras_nst.core.trainer import PerceptualLoss, PerceptualTrainer

    photos = np.stack([skimage_rgb(n, (48, 48)) for n in ("chelsea", "astronaut")]).astype("float32")
    style = skimage_rgb("coffee", (48, 40))[None].astype("float32")
    settings = Settings(tv_weight=10.0, **TINY)
    keras.utils.set_random_seed(0)
    trainer = PerceptualTrainer(settings.network(), PerceptualLoss(settings.terms(), fixed={"style": style}))
    trainer.compile(optimizer=keras.optimizers.Adam(3e-3))
    losses = [float(trainer.train_on_batch(photos, photos)) for _ in range(4)]
    assert np.isfinite(losses).all() and losses[-1] < losses[0]


SAVE_LOAD = textwrap.dedent("""
    import sys, numpy as np, keras
    from keras_nst.fast_style import load_style_model, stylize, transform_net
    mode, folder, data, *variants = sys.argv[1:]
    x = np.load(data)["x"]
    for variant in variants:  # one process for all: each start of a backend costs seconds
        norm, upsample = variant.split("-")
        path = f"{folder}/{variant}.keras"
        if mode == "save":
            keras.utils.set_random_seed(0)
            transform_net(norm=norm, upsample=upsample, filters=8, n_res=1).save(path)
        model = load_style_model(path, precision="float32")  # the same arithmetic on every backend
        eager = keras.ops.convert_to_numpy(model(x, training=False))
        # fast-stylize's forward pass (core.backend.predict) gives the eager call's pixels
        assert np.abs(stylize(model, x[0], tile=None).astype(int) - np.clip(eager[0], 0, 255).round()).max() <= 1
        np.save(f"{path}.{keras.backend.backend()}.npy", eager)
""")


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_model_saves_and_loads_on_every_backend(tmp_path, other):
    """The shipped kind (instance norm, resize) and the paper's (batch norm, 3x3 transposed conv),
    saved on TensorFlow and loaded on ``other``: the same outputs."""
    if importlib.util.find_spec(other) is None:
        pytest.skip(f"{other} is not installed")
    data, variants = tmp_path / "x.npz", ("instance-resize", "batch-deconv3")
    np.savez(data, x=np.random.default_rng(0).uniform(0, 255, (1, 45, 50, 3)).astype("float32"))
    for backend, mode in (("tensorflow", "save"), (other, "load")):
        run = subprocess.run([sys.executable, "-c", SAVE_LOAD, mode, str(tmp_path), str(data), *variants],
                             env=dict(os.environ, KERAS_BACKEND=backend), capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
    for variant in variants:
        ref = np.load(tmp_path / f"{variant}.keras.tensorflow.npy")
        assert ref.shape == (1, 45, 50, 3)
        np.testing.assert_allclose(np.load(tmp_path / f"{variant}.keras.{other}.npy"), ref, atol=0.05,
                                   err_msg=variant)


def test_tiles_cover_the_photo_without_seams():
    keras.utils.set_random_seed(0)
    net = transform_net(norm="batch", **TINY)  # inference-time batch norm is local: tiles can match the whole
    photo = skimage_rgb("astronaut", (200, 150))
    whole = stylize(net, photo, tile=None).astype(float)
    tiled = stylize(net, photo, tile=140, overlap=40).astype(float)
    assert tiled.shape == whole.shape
    assert np.abs(tiled - whole).mean() < 1.0  # grey levels: the cross-fade leaves no visible seam


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    return prepare_tiny(tmp_path_factory, chunklen=2)


def test_fast_train_cli_samples_resumes_and_stylizes_a_folder(vgg, prepared, tmp_path, capsys, monkeypatch):
    from keras_nst.cli import main

    style = tmp_path / "coffee.png"
    Image.fromarray(skimage_rgb("coffee", (60, 48))).save(style)
    out = tmp_path / "coffee.keras"
    common = ["fast-train", "--data", str(prepared), "--out", str(out), "--batch-size", "2", "--steps-per-epoch",
              "1", "--image-size", "48", "--filters", "8", "--res-blocks", "1"]
    assert main(common + ["--style", str(style), "--epochs", "1", "--norm", "batch", "--upsample", "deconv4"]) == 0
    ckpt = tmp_path / "coffee.keras.ckpt"
    assert (ckpt / "sample_epoch0001.png").is_file() and out.is_file()
    assert main(common + ["--epochs", "2", "--resume", "--warmup", "1"]) == 0  # settings come back from the checkpoint
    state = json.loads((ckpt / "state.json").read_text())
    assert state["settings"]["warmup"] == 1
    assert state["epoch"] == 2 and state["settings"]["network_loss"]["upsample"] == "deconv4"
    assert state["settings"]["image_size"] == 48 and (ckpt / "sample_epoch0002.png").is_file()

    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(skimage_rgb("astronaut", (70, 51))).save(photos / "a.jpg")
    Image.fromarray(skimage_rgb("rocket", (33, 40))).save(photos / "b.png")
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert main(["fast-stylize", "--model", str(out), str(photos)]) == 0
    outs = sorted((tmp_path / "styled_coffee").iterdir())
    assert [p.name for p in outs] == ["a.png", "b.png"]
    assert [Image.open(p).size for p in outs] == [(70, 51), (33, 40)]
    assert main(["fast-stylize", "--model", str(out), str(photos / "a.jpg"), "--preserve-color", "luminance"]) == 0
    assert main(["fast-stylize", "--model", str(out), str(photos / "a.jpg")]) == 0
    assert (tmp_path / "a_coffee.png").is_file() and (tmp_path / "a_coffee-1.png").is_file()  # never replaced
    assert main(["fast-stylize", "--model", str(out), str(photos / "b.png"), "--out", "styled_coffee"]) == 0
    assert (tmp_path / "styled_coffee" / "b_coffee.png").is_file()  # one photo into a folder: named by its style
    assert "2 image(s)" in capsys.readouterr().out


def test_preserve_color_keeps_the_photos_chroma(tmp_path):
    from skimage.color import rgb2ycbcr

    from keras_nst.cli import main

    keras.utils.set_random_seed(1)
    model = tmp_path / "m.keras"
    transform_net(**TINY).save(model)
    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save(photo)
    assert main(["fast-stylize", "--model", str(model), str(photo), "--out", str(tmp_path / "o.png"),
                 "--preserve-color", "luminance"]) == 0
    chroma = lambda p: rgb2ycbcr(np.asarray(Image.open(p)))[..., 1:]
    assert np.abs(chroma(tmp_path / "o.png") - chroma(photo)).mean() < 1.5  # 8-bit rounding only


def test_bad_inputs_are_one_line_errors(prepared, tmp_path, capsys):
    from keras_nst.cli import main

    sr = tmp_path / "sr.keras"
    keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)]).save(sr)
    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("coffee", (40, 40))).save(photo)
    style = str(photo)
    train = ["fast-train", "--data", str(prepared), "--out", str(tmp_path / "m.keras")]
    cases = [
        (train, "--style is required"),
        (train + ["--style", str(tmp_path / "nope.jpg")], "nope.jpg: no such file"),
        (train + ["--style", style, "--style-weight", "nan"], "--style-weight"),
        (train + ["--style", style, "--tv-weight", "-1"], "--tv-weight"),
        (train + ["--style", style, "--warmup", "-2"], "--warmup must be"),
        (train + ["--style", style, "--image-size", "128"], "larger than the 64 px crops"),
        (train + ["--style", style, "--batch-size", "3"], "multiple of the arrays' chunk length"),
        (train + ["--style", style, "--style-layers", "block9_conv1"], "unknown VGG16 layer"),
        (["fast-train", "--data", str(tmp_path), "--out", str(tmp_path / "m.keras"), "--style", style],
         "not a complete prepared data folder"),
        (["fast-stylize", "--model", str(tmp_path / "none.keras"), str(photo)], "no such model file"),
        (["fast-stylize", "--model", str(sr), str(photo), "--out", str(tmp_path / "o.png")],
         "not an image transform network"),
        (["fast-stylize", "--model", str(sr), str(photo), "--out", str(photo)], "refusing to overwrite"),
        (["fast-stylize", "--model", str(sr), str(tmp_path / "missing.jpg")], "missing.jpg: no such file"),
        (["fast-stylize", "--model", str(sr), str(photo), "--tile", "10"], "--tile 10 is too small"),
    ]
    for argv, message in cases:
        capsys.readouterr()
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and message in err and err.count("\n") == 1, (argv, err)
    assert not (tmp_path / "m.keras").exists() and not (tmp_path / "o.png").exists()


def test_shipped_styles_load_by_name_and_stylize(tmp_path, monkeypatch):
    from keras_nst.cli import main
    from keras_nst.fast_style import load_style_model
    from keras_nst.fast_style.defaults import MODELS as FAST_MODELS
    from keras_nst.fast_style.options import shipped

    assert set(FAST_MODELS) <= set(shipped())
    photo = skimage_rgb("chelsea", (50, 37))
    for name in FAST_MODELS:
        out = stylize(load_style_model(name), photo, tile=None)
        assert out.shape == (37, 50, 3) and out.std() > 5  # a picture, not a flat field
    Image.fromarray(photo).save(tmp_path / "cat.png")
    monkeypatch.chdir(tmp_path)
    assert main(["fast-stylize", str(tmp_path / "cat.png")]) == 0  # the default style, the default name
    assert Image.open(tmp_path / f"cat_{FAST_MODELS[0]}.png").size == (50, 37)
    cut = np.dstack([photo, np.repeat(np.where(np.arange(50) < 25, 255, 0)[None], 37, 0).astype(np.uint8)])
    Image.fromarray(cut).save(tmp_path / "cut.png")  # its right half transparent: kept so
    assert main(["fast-stylize", str(tmp_path / "cut.png"), "--out", str(tmp_path / "cut_out.png")]) == 0
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "cut_out.png"))[..., 3], cut[..., 3])


def test_working_size_and_keep_size(tmp_path, capsys):
    from keras_nst.cli import main
    from keras_nst.fast_style import working_size
    from keras_nst.fast_style.defaults import SIZE

    assert working_size(3000, 2000) == SIZE  # a large photo: the default working size
    assert working_size(300, 200) is None and working_size(300, 200, 0) is None  # small, or native: as it is
    assert working_size(300, 200, 600) == 600 and working_size(3000, 2000, 0) is None  # asked for: both ways
    net = transform_net(**TINY)
    photo = skimage_rgb("chelsea", (120, 90))
    assert stylize(net, photo, size=64).shape == (48, 64, 3)
    assert stylize(net, photo, size=64, keep_size=True).shape == (90, 120, 3)
    assert stylize(net, photo, size=200, preserve_color="luminance").shape == (150, 200, 3)
    model = tmp_path / "tiny.keras"
    net.save(model)
    Image.fromarray(photo).save(tmp_path / "cat.png")
    assert main(["fast-stylize", "--model", str(model), str(tmp_path / "cat.png"), "--size", "64",
                 "--out", str(tmp_path / "small.png")]) == 0
    assert Image.open(tmp_path / "small.png").size == (64, 48) and "at 64x48" in capsys.readouterr().out
    assert main(["fast-stylize", "--model", str(model), str(tmp_path / "cat.png"), "--size", "64", "--keep-size",
                 "--out", str(tmp_path / "kept.png")]) == 0
    assert Image.open(tmp_path / "kept.png").size == (120, 90)
    assert main(["fast-stylize", "--model", str(model), str(tmp_path / "cat.png"), "--size", "8"]) == 2
    assert "--size 8" in capsys.readouterr().err


def test_a_video_is_stylised_frame_by_frame_with_its_sound(tmp_path, monkeypatch, capsys):
    import av

    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    make_clip(tmp_path / "clip.mp4")
    make_clip(tmp_path / "pcm.mkv", audio="pcm_s16le", frames=3)  # sound mp4 cannot hold as it is: made AAC
    assert main(["fast-stylize", "clip.mp4", "--model", "candy", "--size", "32"]) == 0
    assert main(["fast-stylize", "pcm.mkv", "--model", "candy", "--out", "pcm.mov"]) == 0
    out = capsys.readouterr().out
    assert "clip.mp4: 6 frames" in out and "frames/s" in out and "E_warp" in out
    for name, frames, size in (("clip_candy.mp4", 6, (32, 24)), ("pcm.mov", 3, (48, 36))):
        with av.open(name) as clip:
            video, sound = clip.streams.video[0], clip.streams.audio[0]
            assert (video.codec_context.name, video.width, video.height) == ("h264", *size)
            assert sound.codec_context.name == "aac"
            assert sum(1 for _ in clip.decode(video)) == frames
    assert main(["fast-stylize", "clip.mp4", "--model", "candy", "--size", "32"]) == 0  # a default name moves on
    assert (tmp_path / "clip_candy-1.mp4").exists()


def test_bad_videos_are_one_line_errors(tmp_path, capsys):
    from keras_nst.cli import main

    make_clip(tmp_path / "clip.mp4")
    (tmp_path / "text.mp4").write_text("not a video")
    (tmp_path / "cut.mp4").write_bytes((tmp_path / "clip.mp4").read_bytes()[:2000])
    cases = [([tmp_path / "text.mp4"], "text.mp4: not a video"), ([tmp_path / "cut.mp4"], "cut.mp4: not a video"),
             ([tmp_path / "none.mp4"], "none.mp4: no such file"),
             ([tmp_path / "clip.mp4", "--out", tmp_path / "x.avi"], "unknown type '.avi'; use .mp4, .m4v, .mov, .mkv"),
             ([tmp_path / "clip.mp4", "--out", tmp_path / "clip.mp4", "--overwrite"], "also an input"),
             ([tmp_path / "clip.mp4", tmp_path / "text.mp4"], "text.mp4: not a video")]
    for argv, expected in cases:
        assert main(["fast-stylize", *map(str, argv)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and expected in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "cut.mp4", "text.mp4"]
