"""fast-stylize and fast-train on awkward input: phone clips, long names, video outputs, cut-off videos, resume."""

import numpy as np
import pytest
from PIL import Image

from helpers import make_clip, set_rotation, skimage_rgb


def _run(capsys, *argv):
    from keras_nst.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err.strip()


@pytest.mark.parametrize("degrees", [90, -90])
def test_portrait_phone_clips_are_decoded_upright(tmp_path, degrees):
    import av

    from keras_nst.core.video import probe, upright

    clip = make_clip(tmp_path / "phone.mp4", size=(48, 32), audio=None, frames=2)
    set_rotation(clip, degrees)
    assert probe(clip)[:2] == (32, 48)  # portrait, as a player shows it
    with av.open(str(clip)) as c:
        frame = upright(next(c.decode(video=0)))
    assert frame.shape[:2] == (48, 32)
    red_down = np.diff(frame[:, frame.shape[1] // 2, 0].astype(int)).mean()  # the clip's red rises left to right
    green_across = np.diff(frame[frame.shape[0] // 2, :, 1].astype(int)).mean()  # and its green top to bottom
    if degrees == 90:  # the iPhone's matrix: turned a quarter clockwise for display
        assert red_down > 0 and green_across < 0
    else:
        assert red_down < 0 and green_across > 0


def test_a_portrait_clip_is_written_upright(vgg, tmp_path, capsys):
    import av

    clip = make_clip(tmp_path / "phone.mp4", size=(48, 32), audio=None, frames=2)
    set_rotation(clip, 90)
    out = tmp_path / "out.mp4"
    code, _, err = _run(capsys, "fast-stylize", clip, "--out", out)
    assert code == 0, err
    with av.open(str(out)) as c:
        frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (32, 48) and not (getattr(frame, "rotation", 0) or 0)


def test_a_long_out_works_and_one_too_long_is_refused_before_work(vgg, tmp_path, capsys, monkeypatch):
    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("coffee", (48, 40))).save(photo)
    out = tmp_path / ("o" * 250 + ".png")  # 254 bytes
    code, _, err = _run(capsys, "fast-stylize", photo, "--out", out)
    assert code == 0 and out.is_file(), err
    code, out_, err = _run(capsys, "fast-stylize", photo, "--out", tmp_path / ("o" * 300 + ".png"))
    assert code == 2 and len(err.splitlines()) == 1 and "file name of 304 bytes" in err and not out_
    name = "x" * 240  # a long photo name: upscale's default output (NAME_x4.png) fits without a traceback
    monkeypatch.chdir(tmp_path)
    Image.fromarray(skimage_rgb("coffee", (40, 32))).save(tmp_path / f"{name}.png")
    from super_res.cli import main

    assert main(["upscale", f"{name}.png"]) == 0
    assert (tmp_path / f"{name}_x4.png").is_file()


@pytest.mark.parametrize("out, message", [
    ("missing/sub/x.mp4", "folder missing/sub does not exist"),
    ("afile.txt/x.mp4", "folder afile.txt is a file, not a folder"),
])
def test_video_outputs_are_checked_like_images(tmp_path, capsys, monkeypatch, out, message):
    monkeypatch.chdir(tmp_path)
    make_clip(tmp_path / "a.mp4", audio=None, frames=2)
    (tmp_path / "afile.txt").write_text("x")
    code, _, err = _run(capsys, "fast-stylize", "a.mp4", "--out", out)
    assert code == 2 and message in err and len(err.splitlines()) == 1


def test_several_videos_with_one_out_name_are_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.mp4", "b.mp4"):
        make_clip(tmp_path / name, audio=None, frames=2)
    code, _, err = _run(capsys, "fast-stylize", "a.mp4", "b.mp4", "--out", "name.mp4")
    assert code == 2 and "with several videos, --out is a folder" in err
    assert not list(tmp_path.glob("*_starry_night.mp4"))


def test_an_out_folder_that_is_a_file_is_named_as_such(tmp_path, capsys):
    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("coffee", (48, 40))).save(photo)
    (tmp_path / "afile.txt").write_text("x")
    code, _, err = _run(capsys, "fast-stylize", photo, "--out", f"{tmp_path / 'afile.txt'}/")
    assert code == 2 and "afile.txt: is a file" in err and "several" not in err.split(":")[-1][:8]


@pytest.mark.parametrize("out", ["o.mov", "o.mp4"])
def test_opus_sound_is_made_aac_where_the_container_cannot_hold_it(vgg, tmp_path, capsys, out):
    import av

    clip = make_clip(tmp_path / "o.mkv", audio="libopus", frames=3)
    code, _, err = _run(capsys, "fast-stylize", clip, "--out", tmp_path / out)
    assert code == 0, err
    with av.open(str(tmp_path / out)) as c:
        assert c.streams.audio[0].codec_context.name == ("aac" if out.endswith(".mov") else "opus")


def test_a_truncated_photo_in_a_folder_is_named_and_the_others_are_written(vgg, tmp_path, capsys):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name, picture in (("a", "astronaut"), ("b", "coffee"), ("c", "chelsea")):
        Image.fromarray(skimage_rgb(picture)).save(folder / f"{name}.jpg")  # full size: the header check reads a draft
    data = (folder / "b.jpg").read_bytes()
    (folder / "b.jpg").write_bytes(data[:len(data) // 3])  # the header is fine; the pixels end early
    code, _, err = _run(capsys, "fast-stylize", folder, "--out", tmp_path / "out", "--size", 64)
    last = err.splitlines()[-1]  # after the progress bar
    assert code == 2 and last.startswith("keras-nst: error: 2 of 3 written; not written:") and "b.jpg" in last
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.png", "c.png"]


def test_fast_stylize_size_is_checked_against_memory_first(images, capsys):
    from keras_nst.cli import main

    assert main(["fast-stylize", str(images[0]), "--size", "100000"]) == 2
    err = capsys.readouterr().err
    assert "use a smaller --size" in err and len(err.strip().splitlines()) == 1


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


def test_resume_with_another_setting_is_refused_naming_it(vgg, tmp_path, capsys):
    from helpers import prepare_tiny

    class Factory:
        def mktemp(self, name):
            (tmp_path / name).mkdir()
            return tmp_path / name

    data = prepare_tiny(Factory(), chunklen=2)
    style = tmp_path / "s.png"
    Image.fromarray(skimage_rgb("coffee", (48, 48))).save(style)
    out = tmp_path / "m.keras"
    common = ["fast-train", "--data", data, "--out", out, "--batch-size", 2, "--steps-per-epoch", 1, "--image-size", 48,
              "--res-blocks", 1]
    code, _, err = _run(capsys, *common, "--style", style, "--epochs", 1, "--filters", 8)
    assert code == 0, err
    code, _, err = _run(capsys, *common, "--epochs", 2, "--resume", "--filters", 12)
    assert code == 2 and "trained with --filters 8, not 12" in err and len(err.splitlines()) == 1
    code, _, err = _run(capsys, *common, "--epochs", 2, "--resume")  # its own settings: goes on
    assert code == 0, err
