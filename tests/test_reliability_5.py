"""The fifth round of bad input: ``--help`` of every command, harmonize's object through the
project's loader, flags that would do nothing, sizes checked against memory before work, output
rules before work, resume keeping the precision, cut-off videos, serve's address, the Python API's
arguments."""

import json

import numpy as np
import pytest
from PIL import Image

from keras_nst.cli import GROUPS as NST_GROUPS
from keras_nst.core.errors import NSTError
from keras_nst.harmonization.inputs import compose
from super_res.cli import GROUPS as SR_GROUPS

from helpers import skimage_rgb


def _commands():
    return [("keras_nst", name) for g in NST_GROUPS for name in g.COMMANDS] + \
        [("super_res", name) for g in SR_GROUPS for name in g.COMMANDS]


@pytest.mark.parametrize("package, command", _commands())
def test_help_of_every_command(package, command, capsys):
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    out = capsys.readouterr()
    assert "usage:" in out.out and "Traceback" not in out.err, out.err


@pytest.mark.parametrize("package", ["keras_nst", "super_res"])
def test_help_of_the_command_lines(package, capsys):
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0 and "usage:" in capsys.readouterr().out


# harmonize's object, placement and outputs (class 2, 3, 5)

@pytest.fixture
def cutouts(scene, tmp_path):
    """Beside the scene: an opaque RGBA object, a palette one, and a mask of another shape."""
    head = np.asarray(Image.open(scene[0]["object"]))
    opaque = head.copy()
    opaque[..., 3] = 255
    Image.fromarray(opaque).save(tmp_path / "opaque.png")
    Image.fromarray(head[..., :3]).convert("P").save(tmp_path / "palette.png")
    Image.new("L", (20, 40), 255).save(tmp_path / "tall_mask.png")
    return scene[0]


def _harmonize(tmp_path, *args):
    from keras_nst.cli import main

    return main(["harmonize", *map(str, args), "--out", str(tmp_path / "o.png")])


@pytest.mark.parametrize("flags, message", [
    (["--object", "opaque.png"], "opaque.png: no transparency (every pixel is opaque)"),
    (["--object", "palette.png"], "palette.png: no transparency"),
    (["--object", "object.png", "--object-mask", "tall_mask.png"], "--object-mask is 20x40 px"),
    (["--object", "object.png", "--scale", "100"], "--object object.png at --scale 100 is larger than the painting"),
    (["--object", "object.png", "--at", "5000,5000"], "--at 5000,5000: the object would reach outside"),
    (["--composite", "composite.png", "--mask", "mask.png", "--scale", "0.5"], "--scale: for placing an --object"),
    (["--composite", "composite.png", "--mask", "mask.png", "--at", "3,3", "--object-mask", "mask.png"],
     "--object-mask, --at: for placing an --object only"),
])
def test_harmonize_object_and_placement_flags(cutouts, tmp_path, capsys, monkeypatch, flags, message):
    monkeypatch.chdir(tmp_path)
    assert _harmonize(tmp_path, "--painting", "painting.png", *flags) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_the_object_goes_through_the_photo_loader(scene, tmp_path):
    """An object photo with an EXIF rotation is pasted upright, a 16-bit one is not clipped to white."""
    from keras_nst.harmonization.inputs import read_object

    photo = np.zeros((20, 40, 3), np.uint8)
    photo[:, :20] = 255  # left half white: after a quarter turn, the top half is
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    Image.fromarray(photo).save(tmp_path / "turned.jpg", exif=exif, quality=100)
    Image.new("L", (20, 40), 255).save(tmp_path / "upright_mask.png")  # the mask of the upright object
    obj = read_object(tmp_path / "turned.jpg", tmp_path / "upright_mask.png")
    assert obj.shape == (40, 20, 4) and obj[:20, :, :3].mean() > 200 and obj[20:, :, :3].mean() < 50
    deep = (np.linspace(0, 65535, 40 * 40).reshape(40, 40)).astype(np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.png")
    Image.new("L", (40, 40), 255).save(tmp_path / "deep_mask.png")
    obj = read_object(tmp_path / "deep.png", tmp_path / "deep_mask.png")
    assert 100 < obj[..., 0].mean() < 155  # a ramp to white, not clipped to white


def test_harmonize_outputs_are_checked_before_work(scene, tmp_path, capsys, monkeypatch):
    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    base = ["harmonize", "--painting", "painting.png", "--composite", "composite.png", "--mask", "mask.png"]
    assert main([*base, "--out", "same.png", "--grid", "same.png"]) == 2
    assert "--grid same.png is the --out image too" in capsys.readouterr().err
    assert main([*base, "--size", "100000"]) == 2
    err = capsys.readouterr().err
    assert "use a smaller --size" in err and "Traceback" not in err
    (tmp_path / "a.txt").write_text("x")
    assert main([*base, "--out", "a.txt/"]) == 2
    assert "a.txt: is a file" in capsys.readouterr().err


def test_harmonize_writes_into_a_folder_given_as_out(vgg, scene, tmp_path, monkeypatch):
    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["harmonize", "--painting", "painting.png", "--composite", "composite.png", "--mask", "mask.png",
                 "--iters", "1", "--out", "results/"]) == 0
    assert Image.open(tmp_path / "results" / "painting_harmonized.png").size == (72, 48)


# sizes against memory, resume, videos, serve (classes 4, 6, 7, 8)

def test_fast_stylize_size_is_checked_against_memory_first(images, capsys):
    from keras_nst.cli import main

    assert main(["fast-stylize", str(images[0]), "--size", "100000"]) == 2
    err = capsys.readouterr().err
    assert "use a smaller --size" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("package, command", [("keras_nst", "fast-train"), ("super_res", "train")])
def test_resume_refuses_another_precision(package, command, tmp_path, capsys):
    main = __import__(f"{package}.cli", fromlist=["main"]).main
    ckpt = tmp_path / "net.keras.ckpt"
    ckpt.mkdir()
    (ckpt / "state.json").write_text(json.dumps({"epoch": 1, "weights": "epoch0001.weights.h5",
                                                 "settings": {"network_loss": {"precision": "mixed"}}}))
    argv = [command, "--data", str(tmp_path), "--out", str(tmp_path / "net.keras"), "--resume", "--precision",
            "float32"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "trained with --precision mixed, not float32" in err and len(err.strip().splitlines()) == 1


def _clip(path, frames=20, faststart=True):
    import av

    rng = np.random.default_rng(0)
    with av.open(str(path), "w", options={"movflags": "faststart"} if faststart else {}) as dst:
        s = dst.add_stream("libx264", rate=10)
        s.width, s.height, s.pix_fmt = 96, 64, "yuv420p"
        for _ in range(frames):
            dst.mux(s.encode(av.VideoFrame.from_ndarray(rng.integers(0, 255, (64, 96, 3), np.uint8), format="rgb24")))
        dst.mux(s.encode(None))


def test_a_cut_off_video_is_said_and_what_was_done_is_kept(tmp_path, capsys):
    import av

    from keras_nst.cli import main

    _clip(tmp_path / "whole.mp4")
    data = (tmp_path / "whole.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[:len(data) // 2])
    out = tmp_path / "cut_styled.mp4"
    assert main(["fast-stylize", str(tmp_path / "cut.mp4"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cut.mp4: cut off" in err and "of 20 frames decoded" in err
    with av.open(str(out)) as clip:
        assert 0 < sum(1 for _ in clip.decode(video=0)) < 20


def test_a_photo_named_mp4_is_not_a_video(images, tmp_path, capsys):
    from keras_nst.cli import main

    fake = tmp_path / "photo.mp4"
    fake.write_bytes(images[0].read_bytes())
    assert main(["fast-stylize", str(fake)]) == 2
    assert "a still image (png), not a video" in capsys.readouterr().err


@pytest.mark.parametrize("out, message", [("missing/sub/", "folder missing does not exist"),
                                          ("afile.txt/", "afile.txt: is a file")])
def test_video_output_folders_are_checked(tmp_path, capsys, monkeypatch, out, message):
    from keras_nst.cli import main

    monkeypatch.chdir(tmp_path)
    _clip(tmp_path / "clip.mp4", frames=2)
    (tmp_path / "afile.txt").write_text("x")
    assert main(["fast-stylize", "clip.mp4", "--out", out]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_serve_checks_its_address_and_port_first(capsys):
    import socket

    from keras_nst.cli import main

    assert main(["serve", "--host", "garbage!!"]) == 2
    assert "--host garbage!!: not an address or a host name" in capsys.readouterr().err
    assert main(["serve", "--host", "192.0.2.1"]) == 2  # TEST-NET-1: not this machine's
    assert "--host 192.0.2.1: this machine cannot listen there" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
        assert f"--port {port}: in use by another program" in capsys.readouterr().err


# the Python API (class 9)

def test_the_api_converts_image_arrays_or_names_the_argument(vgg):
    from keras_nst import style_transfer

    photo = skimage_rgb("chelsea", (48, 32))
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    grey = photo.mean(axis=2)
    a = style_transfer(rgba, grey.astype(np.uint8), size=48, iters=1)
    b = style_transfer(photo.astype("float32") / 255, skimage_rgb("coffee", (48, 32)) / 255.0, size=48, iters=1)
    assert a.image.shape == b.image.shape == (32, 48, 3) and b.image.mean() > 30  # 0-1 floats: not a black result
    with pytest.raises(NSTError, match="an RGB image array"):
        style_transfer(np.zeros((32, 48, 2)), photo, size=48, iters=1)
    with pytest.raises(NSTError, match="NaN"):
        style_transfer(np.full((32, 48, 3), np.nan), photo, size=48, iters=1)


def test_compose_refuses_a_placement_that_is_not_two_numbers():
    painting = np.full((60, 80, 3), 200, np.uint8)
    obj = np.zeros((10, 20, 4), np.uint8)
    obj[2:8, 4:16, 3] = 255
    for at in ("40,30", (np.nan, 3), (1, 2, 3)):
        with pytest.raises(NSTError, match="two numbers"):
            compose(painting, obj, at=at)
    with pytest.raises(NSTError, match="a number > 0"):
        compose(painting, obj, scale="2")


# the web app's words (class 10)

def test_the_loss_curve_of_one_round_has_a_readable_scale():
    from keras_nst.web.live import curve

    ax = curve([1.0], "loss after each round").axes[0]
    low, high = ax.get_ylim()
    assert low <= 0.34 and high >= 2.9 and ax.get_title() == "loss after each round"
    marked = curve([3.0, 2.0, 1.5, 1.2], "both passes", second=3)
    marked.canvas.draw()  # tick labels take their text when drawn
    axes = [a for ax in marked.axes for a in (ax, *ax.child_axes)]  # the label sits on a secondary axis on top
    labels = [t.get_text() for ax in axes for t in (*ax.texts, *ax.get_xticklabels())]
    assert "pass 2" in labels
