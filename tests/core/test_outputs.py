"""Outputs are whole and never replace a file unasked: taken names, full disks, races, long names, --grid."""

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from helpers import run_main as _run
from helpers import skimage_rgb


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT])
def test_a_full_disk_or_read_only_output_is_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch, code):
    from super_res.cli import main

    Image.fromarray(skimage_rgb("chelsea", (20, 16))).save(tmp_path / "p.png")
    real = Image.Image.save

    def full(self, fp, *args, **kwargs):
        real(self, fp, *args, **kwargs)  # a partial file is there when the disk fills
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(Image.Image, "save", full)
    out = tmp_path / "out" / "big.png"
    out.parent.mkdir()
    assert main(["upscale", str(tmp_path / "p.png"), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]  # the rest: the progress bar
    assert len(errors) == 1 and str(out) in errors[0] and errno.errorcode[code] in errors[0], err
    assert "Traceback" not in err
    assert os.listdir(out.parent) == []  # no output, no temp file


def test_a_write_error_of_another_kind_is_not_hidden(tmp_path, monkeypatch):
    from keras_nst.core.atomic import atomic_path

    with pytest.raises(OSError) as e, atomic_path(tmp_path / "x.png"):
        raise OSError(errno.EIO, "input/output error")
    assert e.value.errno == errno.EIO and not list(tmp_path.iterdir())


def _photo(folder, name="p.png", size=(40, 30)):
    Image.fromarray(skimage_rgb("chelsea", size)).save(folder / name)
    return folder / name


def test_every_image_writing_command_refuses_an_existing_output(tmp_path, capsys):
    from keras_nst.cli import main
    from super_res.cli import main as sr_main

    photo, style = _photo(tmp_path), _photo(tmp_path, "s.png")
    (tmp_path / "folder").mkdir()
    taken = [tmp_path / "taken.png", tmp_path / "folder" / "p.png", tmp_path / "folder" / "p_x4.png",
             tmp_path / "taken.json", tmp_path / "folder" / "taken.png"]
    for path in taken:
        path.write_bytes(b"earlier result")
    cases = [(main, ["transfer", "--content", photo, "--style", style, "--out", taken[0]]),
             (main, ["transfer", "--content", photo, "--style", style, "--out", tmp_path / "n.png",
                     "--grid", taken[0]]),
             (main, ["transfer", "--content", photo, "--style", style, "--out", tmp_path / "n.png", "--save-every",
                     "1", "--iters", "1"]),
             (main, ["content", "--content", photo, "--out", taken[0]]),
             (main, ["style", "--style", style, "--out", taken[0]]),
             (main, ["demo", "--out", taken[0]]),
             (main, ["fast-stylize", photo, "--out", taken[0]]),
             (main, ["fast-stylize", photo, tmp_path / "s.png", "--out", tmp_path / "folder"]),
             (sr_main, ["upscale", photo, "--out", taken[0]]),
             (sr_main, ["upscale", photo, "--out", tmp_path / "folder"]),
             (sr_main, ["evaluate", "--images", tmp_path, "--json", taken[3]]),
             (sr_main, ["evaluate", "--images", tmp_path, "--grid", taken[0]]),
             (main, ["controls", "--content", photo, "--style", style, "--style2", style, "--out", taken[0]])]
    (tmp_path / "n_iter001.png").write_bytes(b"earlier snapshot")
    for cli, argv in cases:
        assert cli(list(map(str, argv))) == 2, argv
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "already exists; pass --overwrite" in err, (argv, err)
    assert all(p.read_bytes() == b"earlier result" for p in taken)
    assert not (tmp_path / "n.png").exists()


def test_overwrite_replaces_and_default_names_move_on(tmp_path, monkeypatch, capsys):
    from keras_nst.cli import main

    photo = _photo(tmp_path)
    monkeypatch.chdir(tmp_path)
    for _ in range(3):
        assert main(["fast-stylize", str(photo)]) == 0
    assert sorted(p.name for p in tmp_path.glob("p_starry_night*")) == [
        "p_starry_night-1.png", "p_starry_night-2.png", "p_starry_night.png"]
    assert "wrote p_starry_night-2.png" in capsys.readouterr().out
    out = tmp_path / "p_starry_night.png"
    out.write_bytes(b"earlier")
    assert main(["fast-stylize", str(photo), "--out", str(out), "--overwrite"]) == 0
    assert Image.open(out).size == (40, 30)
    for _ in range(2):  # several photos: a new default folder each run
        assert main(["fast-stylize", str(photo), str(_photo(tmp_path, "q.png"))]) == 0
    assert sorted(p.name for p in tmp_path.glob("styled_*")) == ["styled_starry_night", "styled_starry_night-1"]


def test_a_name_taken_while_a_run_works(tmp_path, monkeypatch):
    """Between the check and the write another run may take the name: a default name moves on, a
    given one is refused, and of several writers racing for one name exactly one wins."""
    import threading

    import numpy as np

    from keras_nst.core.errors import NSTError
    from keras_nst.core.image_io import fresh_path, save_image

    monkeypatch.chdir(tmp_path)
    image = np.zeros((4, 4, 3), np.uint8)
    default = fresh_path("result")
    Image.new("RGB", (2, 2)).save("result.png")  # another run got there first
    assert save_image(default, image, overwrite=False).name == "result-1.png"
    with pytest.raises(NSTError, match="result.png: appeared while this run worked"):
        save_image(tmp_path / "result.png", image, overwrite=False)
    assert Image.open("result.png").size == (2, 2)

    won, lost = [], []

    def write(i):
        try:
            won.append(save_image(tmp_path / "race.png", np.full((4, 4, 3), i, np.uint8), overwrite=False))
        except NSTError:
            lost.append(i)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and len(lost) == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race.png", "result-1.png", "result.png"]  # no temp left


def test_exclusive_create_where_hard_links_are_not_supported(tmp_path, monkeypatch):
    from keras_nst.core import atomic

    def no_links(src, dst):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(atomic.os, "link", no_links)
    with atomic.atomic_path(tmp_path / "a.txt", replace=False) as tmp:
        open(tmp, "w").write("first")
    with pytest.raises(FileExistsError), atomic.atomic_path(tmp_path / "a.txt", replace=False) as tmp:
        open(tmp, "w").write("second")
    assert (tmp_path / "a.txt").read_text() == "first" and len(list(tmp_path.iterdir())) == 1


def test_long_names_fit_their_temporary_files(tmp_path):
    from keras_nst.core.atomic import atomic_path, numbered

    path = tmp_path / ("p" * 246 + ".png")  # 250 bytes: legal, and its temporary name must be too
    with atomic_path(path, replace=False) as tmp:
        Path(tmp).write_bytes(b"x")
        assert len(Path(tmp).name.encode()) <= 255
    assert path.read_bytes() == b"x"
    long = numbered("n" * 254, 3, ".png")  # a default name made from a long photo name: shortened to fit
    assert len(long.name.encode()) <= 255 and long.name.endswith("-3.png")


def test_a_name_the_tool_made_that_another_run_took_moves_on(tmp_path):
    from keras_nst.core.image_io import plan_outputs, save_image

    photo = tmp_path / "p.png"
    Image.fromarray(skimage_rgb("coffee", (48, 40))).save(photo)
    _, (out,) = plan_outputs([photo], f"{tmp_path / 'styled'}/", file_stem=lambda p: f"{p.stem}_candy",
                             folder_stem=lambda p: p.stem, default_folder="x")
    assert out == tmp_path / "styled" / "p_candy.png"
    out.write_bytes(b"another run's result")  # another run finished first
    image = skimage_rgb("coffee", (48, 40))
    assert save_image(out, image, overwrite=False, made=True) == out.with_name("p_candy-1.png")  # work kept
    assert out.read_bytes() == b"another run's result"  # and nothing replaced
    named = tmp_path / "mine.png"
    named.write_bytes(b"x")
    with pytest.raises(Exception, match="appeared while this run worked"):  # a name the user typed: refused
        save_image(named, image, overwrite=False)


@pytest.mark.parametrize("package, argv, what", [
    ("keras_nst", ["transfer", "--content", "cat.png", "--style", "coffee.png", "--out", "x.png"], "the --out image"),
    ("keras_nst", ["content", "--content", "cat.png", "--out", "x.png"], "the --out image"),
    ("keras_nst", ["style", "--style", "coffee.png", "--out", "x.png"], "the --out image"),
    ("keras_nst", ["demo", "--out", "x.png"], "the --out image"),
    ("keras_nst", ["harmonize", "--painting", "painting.png", "--composite", "composite.png", "--mask", "mask.png",
                   "--out", "x.png"], "the --out image"),
    ("super_res", ["evaluate", "--images", ".", "--json", "x.png"], "the --json report"),
])
def test_a_grid_named_as_another_output_is_refused_before_work(images, scene, tmp_path, capsys, monkeypatch, package,
                                                               argv, what):
    import keras_nst.core.vgg

    def work(*args, **kwargs):
        raise AssertionError("the work started")

    monkeypatch.setattr(keras_nst.core.vgg, "vgg16_avg", work)
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, package, *argv, "--grid", "x.png")
    assert code == 2 and err == f"{package.replace('_', '-')}: error: --grid x.png is {what} too: give the grid " \
                                "figure its own name"
    assert not (tmp_path / "x.png").exists()


def test_a_grid_named_as_a_snapshot_is_refused_before_work(images, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, "keras_nst", "transfer", "--content", "cat.png", "--style", "coffee.png", "--out",
                        "x.png", "--iters", 2, "--save-every", 1, "--grid", "x_iter002.png")
    assert code == 2 and "--grid x_iter002.png is a --save-every snapshot too" in err


def test_a_killed_writers_temporary_file_goes_with_the_next_write_and_a_live_ones_stays(tmp_path):
    from keras_nst.core.atomic import atomic_path, leftovers

    out = tmp_path / "result.png"
    killed, live, fresh = (tmp_path / f".result.{k * 8}.png" for k in "abc")
    for f in (killed, live, fresh):
        f.write_bytes(b"half a picture")
    for f in (killed, live):
        os.utime(f, (time.time() - 60,) * 2)  # written a minute ago
    # another process writing ``live`` now holds its lock, as atomic_path's writer does
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               f"fd = os.open({str(live)!r}, os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)\n"
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with atomic_path(out) as tmp:
            Path(tmp).write_bytes(b"a picture")
    finally:
        holder.kill()
        holder.wait()
    assert out.read_bytes() == b"a picture"
    # the killed run's file went; the one being written stays, and so does one made a moment ago
    assert leftovers(out) == sorted([live, fresh])
