"""Every bad input a user can give either works or stops with one clear message naming the file."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from keras_nst.core import image_io
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import check_output, load_image, load_with_alpha, save_image

from helpers import ADOBE_GAMMA, icc_profile, skimage_rgb

CAT = skimage_rgb("chelsea")  # 300 x 451


def save(tmp_path, name, image, **kw):
    path = tmp_path / name
    image.save(path, **kw)
    return path


def assert_error(path, match, size=None):
    with pytest.raises(NSTError, match=match) as e:
        load_image(path, size)
    assert str(path) in str(e.value)


def test_missing_directory_and_non_image(tmp_path):
    assert_error(tmp_path / "nope.jpg", "no such file")
    assert_error(tmp_path, "is a directory")
    (tmp_path / "notes.jpg").write_text("not a picture")
    assert_error(tmp_path / "notes.jpg", "not an image")


def test_corrupt_and_truncated(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(CAT).save(buf, "JPEG")
    (tmp_path / "cut.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert_error(tmp_path / "cut.jpg", "corrupt or truncated")
    (tmp_path / "garbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert_error(tmp_path / "garbage.png", "not an image|cannot be read|corrupt")


def test_too_small_and_too_small_at_size(tmp_path):
    assert_error(save(tmp_path, "tiny.png", Image.new("RGB", (10, 10))), "10x10 px, too small")
    assert_error(save(tmp_path, "strip.png", Image.new("RGB", (2000, 40))), "use a larger --size", size=256)


@pytest.mark.parametrize("mode", ["L", "P", "LA", "1", "YCbCr"])
def test_other_modes_become_rgb(tmp_path, mode):
    img = Image.fromarray(CAT).convert(mode)
    path = save(tmp_path, f"cat_{mode}.{'jpg' if mode == 'YCbCr' else 'png'}", img)
    out = load_image(path, 128)
    assert out.shape == (85, 128, 3) and out.dtype == np.uint8


def test_rgba_transparency_becomes_white(tmp_path):
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[:, :20] = [255, 0, 0, 255]  # left opaque red, right fully transparent
    out = load_image(save(tmp_path, "a.png", Image.fromarray(rgba)))
    assert out[5, 5].tolist() == [255, 0, 0] and out[5, 35].tolist() == [255, 255, 255]


def test_transparency_kept_where_asked_its_hidden_colours_filled(tmp_path):
    rgba = np.zeros((40, 40, 4), np.uint8)  # black where transparent, as drawing programs leave it
    rgba[:, :20] = [255, 0, 0, 255]
    rgba[:, 20] = [255, 0, 0, 128]  # a half-transparent edge
    rgb, alpha = load_with_alpha(save(tmp_path, "a.png", Image.fromarray(rgba)))
    assert alpha[5, 5] == 255 and alpha[5, 20] == 128 and alpha[5, 35] == 0
    assert (rgb == [255, 0, 0]).all()  # the hidden black became the nearest visible red: no dark fringe
    rgb, alpha = load_with_alpha(save(tmp_path, "opaque.png", Image.fromarray(rgba).convert("RGB")))
    assert alpha is None and rgb.shape == (40, 40, 3)
    rgb, alpha = load_with_alpha(save(tmp_path, "a.png", Image.fromarray(rgba)))
    big = np.repeat(np.repeat(rgb, 2, 0), 2, 1)  # a result twice the input's size: the alpha follows it
    out = np.asarray(Image.open(save_image(tmp_path / "big.png", big, alpha=alpha)))
    assert out.shape == (80, 80, 4) and out[10, 10, 3] == 255 and out[10, 75, 3] == 0
    out = np.asarray(Image.open(save_image(tmp_path / "big.jpg", big, alpha=alpha)))  # JPEG holds no alpha
    assert out.shape == (80, 80, 3) and (out[10, 75] > 245).all() and out[10, 10, 0] > 245 > out[10, 10, 1] + 200


def test_colour_profiles_are_converted_to_srgb(tmp_path):
    pixels = np.array([[[100, 180, 60], [128, 128, 128], [200, 50, 150]]], np.uint8).repeat(32, 0).repeat(16, 1)
    adobe = load_image(save(tmp_path, "adobe.png", Image.fromarray(pixels), icc_profile=icc_profile()))
    # the same colours by the published Adobe RGB -> sRGB matrix in linear light
    linear = np.clip((pixels[0, ::16] / 255) ** ADOBE_GAMMA @ np.array(
        [[1.3982, -0.3982, 0], [0, 1, 0], [0, -0.0429, 1.0429]]).T, 0, 1)
    srgb = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055) * 255
    assert np.abs(adobe[0, ::16] - srgb).max() <= 2
    assert np.abs(adobe[0, ::16].astype(int) - pixels[0, ::16]).max() > 20  # the raw numbers would be wrong
    rgb, _ = load_with_alpha(tmp_path / "adobe.png")  # the commands that keep alpha convert alike
    np.testing.assert_array_equal(rgb, adobe)
    turned = Image.fromarray(pixels)  # a phone's photo: a profile and an EXIF rotation, both honoured
    exif = turned.getexif()
    exif[0x0112] = 6
    turned = load_image(save(tmp_path, "phone.png", turned, icc_profile=icc_profile(), exif=exif))
    assert turned.shape == (48, 32, 3) and np.abs(turned[0, 0] - srgb[0]).max() <= 2
    for name, icc in [("srgb.png", icc_profile("sRGB IEC61966-2.1")), ("broken.png", b"not a profile")]:
        np.testing.assert_array_equal(load_image(save(tmp_path, name, Image.fromarray(pixels), icc_profile=icc)),
                                      pixels)  # sRGB already, or unusable: the numbers as they are


def test_cmyk_jpeg(tmp_path):
    img = Image.new("RGB", (48, 48), (200, 30, 30)).convert("CMYK")
    out = load_image(save(tmp_path, "cmyk.jpg", img, quality=95))
    assert out.shape == (48, 48, 3)
    assert np.abs(out[24, 24].astype(int) - [200, 30, 30]).max() < 12


def test_sixteen_bit_png_is_scaled_not_clipped(tmp_path):
    a = np.full((40, 40), 32896, np.uint16)  # mid-grey in 16 bits
    a[:, 20:] = 65535
    out = load_image(save(tmp_path, "deep.png", Image.fromarray(a)))
    assert out[0, 0].tolist() == [128, 128, 128] and out[0, 39].tolist() == [255, 255, 255]


def test_exif_rotation_is_applied(tmp_path):
    img = Image.fromarray(CAT)  # 451 wide, 300 tall
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    out = load_image(save(tmp_path, "phone.jpg", img, exif=exif), 90)
    assert out.shape == (90, 60, 3)  # displayed portrait


def test_square_is_the_centre_in_one_pass(tmp_path):
    # prepare's centre crops: red bands left and right of a centred grey square must be cut away
    img = np.full((200, 400, 3), 128, np.uint8)
    img[:, :100] = img[:, 300:] = (255, 0, 0)
    out = load_image(save(tmp_path, "wide.png", Image.fromarray(img)), 50, square=True)
    assert out.shape == (50, 50, 3)
    assert np.abs(out[:, 2:-2].astype(int) - 128).max() <= 2  # the filter's reach past the edge: 2 px
    tall = save(tmp_path, "tall.png", Image.fromarray(img.transpose(1, 0, 2)))
    assert load_image(tall, 50, square=True).shape == (50, 50, 3)


def test_huge_jpeg_is_drafted_never_decoded_full(tmp_path, monkeypatch):
    # The lesson's 30 000 px Starry Night, scaled down: the same code path at a testable size.
    path = save(tmp_path, "huge.jpg", Image.fromarray(CAT).resize((2400, 1600)))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 500_000)  # Pillow would refuse this as a bomb
    monkeypatch.setattr(image_io, "MAX_DECODE_PIXELS", 1_000_000)  # and we must stay under this
    out = load_image(path, 256)
    assert out.shape == (171, 256, 3)
    assert Image.MAX_IMAGE_PIXELS == 500_000  # Pillow's own guard is put back
    png = save(tmp_path, "huge.png", Image.fromarray(CAT).resize((2400, 1600)))
    assert_error(png, "too large to decode", size=256)
    assert_error(png, "save it as JPEG", size=256)
    # without a size (upscale, prepare's native-scale crops) a JPEG is not told to become a JPEG
    with pytest.raises(NSTError, match="this command needs it whole: shrink it first"):
        load_image(path)


def test_symlink_loop_is_named_as_such(tmp_path):
    loop = tmp_path / "loop.png"
    loop.symlink_to(loop)
    with pytest.raises(NSTError, match="leads nowhere"):
        load_image(loop)


def test_check_output(tmp_path, images):
    content, _ = images
    with pytest.raises(NSTError, match="unknown image type"):
        check_output(tmp_path / "out.xyz")
    with pytest.raises(NSTError, match="does not exist"):
        check_output(tmp_path / "no" / "out.png")
    with pytest.raises(NSTError, match="also an input"):
        check_output(content, [content])
    assert check_output(tmp_path / "new.png", [content]) == tmp_path / "new.png"


def test_save_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "result.png"
    save_image(out, CAT)
    before = out.read_bytes()
    assert (out.stat().st_mode & 0o777) != 0o600  # usual permissions, not mkstemp's

    def broken(self, fp, *args, **kwargs):
        with open(fp, "wb") as f:
            f.write(b"half an image")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        save_image(out, CAT[::-1])
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.png"]


def test_real_grayscale_style_image(data):
    out = load_image(data / "style" / "escher_sphere.jpg", 128)  # an 'L' JPEG in the shared set
    assert out.shape == (128, 83, 3)


def test_arrays_are_converted_to_rgb_0_255_or_named():
    from keras_nst.core.image_io import resize

    assert resize(CAT, 90).shape == (60, 90, 3)
    assert resize(CAT[..., 0], 90).shape == (60, 90, 3)  # greyscale: repeated
    np.testing.assert_allclose(resize(CAT / 255.0, 90), resize(CAT, 90), atol=1)  # floats 0-1: scaled
    with pytest.raises(NSTError, match="shape"):
        resize(CAT[..., :2], 90)


def test_read_only_formats_are_not_outputs(tmp_path):
    with pytest.raises(NSTError, match="unknown image type"):
        check_output(tmp_path / "out.psd")  # Pillow reads PSD but cannot write it


def test_many_inputs_are_checked_before_the_first_output(tmp_path, monkeypatch):
    from keras_nst.core.image_io import plan_outputs

    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("a", "b"):
        save(photos, f"{name}.png", Image.fromarray(CAT[:60, :80]))
    (photos / "notes.txt").write_text("not an image extension: passed over")
    monkeypatch.chdir(tmp_path)
    plan = dict(file_stem=lambda p: f"{p.stem}_x4", folder_stem=lambda p: f"{p.stem}_up", default_folder="ups")
    # a folder: every image into a new default folder, named by folder_stem
    inputs, outs = plan_outputs([photos], None, **plan)
    assert [p.name for p in inputs] == ["a.png", "b.png"]
    assert outs == [Path("ups", "a_up.png"), Path("ups", "b_up.png")] and Path("ups").is_dir()
    # one file: out as given, or by file_stem here, or into a folder that exists or is written with a /
    a = photos / "a.png"
    assert plan_outputs([a], "x.png", **plan)[1] == [Path("x.png")]
    assert plan_outputs([a], None, **plan)[1] == [Path("a_x4.png")]
    assert plan_outputs([a], "ups", **plan)[1] == [Path("ups", "a_x4.png")]
    assert plan_outputs([a], "new/", **plan)[1] == [Path("new", "a_x4.png")] and Path("new").is_dir()
    # an unreadable file or one too small stops the plan by name, before any folder is made
    (photos / "c.png").write_bytes(b"not a picture")
    with pytest.raises(NSTError, match="c.png: not an image"):
        plan_outputs([photos], "out", **plan)
    (photos / "c.png").unlink()
    save(photos, "d.png", Image.new("RGB", (3, 3)))
    with pytest.raises(NSTError, match="d.png: image is 3x3 px, too small"):
        plan_outputs([photos], "out", min_side=5, **plan)
    assert not (tmp_path / "out").exists()
    assert len(plan_outputs([photos], "out", min_side=1, **plan)[0]) == 3
    monkeypatch.setattr(image_io, "MAX_DECODE_PIXELS", 1000)  # a photo too large to decode whole
    with pytest.raises(NSTError, match="a.png: image is 80x60 px, too large to decode"):
        plan_outputs([a], None, **plan)


def test_lossy_outputs_keep_the_result(tmp_path):
    from skimage.metrics import peak_signal_noise_ratio

    for name in ("out.jpg", "out.webp"):  # Pillow's defaults (JPEG 75, 4:2:0) give 32-33 dB here
        back = np.asarray(Image.open(save_image(tmp_path / name, CAT)).convert("RGB"))
        assert peak_signal_noise_ratio(CAT, back) > 38, name
    from keras_nst.core.plots import figure, save_figure

    fig = figure(figsize=(2, 2))
    fig.add_subplot().imshow(CAT)
    grid = Image.open(save_figure(fig, tmp_path / "grid.jpg"))
    assert {(h, v) for _, h, v, _ in grid.layer} == {(1, 1)}  # full-resolution colour (4:4:4) in figures too
