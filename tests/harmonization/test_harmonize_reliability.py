"""harmonize on awkward input: the object's transparency, size and placement, the outputs, compose's arguments."""

import numpy as np
import pytest
from PIL import Image

from keras_nst.core.errors import NSTError
from keras_nst.harmonization.inputs import compose


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


def test_compose_refuses_a_placement_that_is_not_two_numbers():
    painting = np.full((60, 80, 3), 200, np.uint8)
    obj = np.zeros((10, 20, 4), np.uint8)
    obj[2:8, 4:16, 3] = 255
    for at in ("40,30", (np.nan, 3), (1, 2, 3)):
        with pytest.raises(NSTError, match="two numbers"):
            compose(painting, obj, at=at)
    with pytest.raises(NSTError, match="a number > 0"):
        compose(painting, obj, scale="2")
