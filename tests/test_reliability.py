"""Bad environments, unchecked options, models of the wrong kind and full disks: one line, exit 2."""

import errno
import os
import subprocess
import sys

import pytest
from PIL import Image

from helpers import skimage_rgb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = {"style": os.path.join(ROOT, "keras_nst", "models", "candy.keras"),
          "sr": os.path.join(ROOT, "super_res", "models", "psnr.keras")}


def _cli(module, *argv, env=None):
    env = {k: v for k, v in dict(os.environ, **(env or {})).items() if k != "TF_CPP_MIN_LOG_LEVEL"}  # as a user's
    run = subprocess.run([sys.executable, "-m", module, *map(str, argv)], capture_output=True, text=True,
                         timeout=300, env=env, cwd=ROOT)
    return run.returncode, run.stderr.strip()


@pytest.mark.parametrize("module", ["keras_nst", "super_res"])
def test_an_unknown_keras_backend_is_one_line(module, tmp_path):
    code, err = _cli(module, "demo" if module == "keras_nst" else "upscale",
                     *([] if module == "keras_nst" else [tmp_path / "x.png"]), env={"KERAS_BACKEND": "nonsense"})
    assert code == 2 and len(err.splitlines()) == 1, err
    assert "KERAS_BACKEND=nonsense" in err and "tensorflow, jax, torch" in err


def test_a_backend_that_is_not_installed_is_named(monkeypatch):
    from keras_nst.core import errors

    real = errors.importlib.util.find_spec
    monkeypatch.setattr(errors.importlib.util, "find_spec", lambda name, *a: None if name == "jax" else real(name, *a))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(errors.NSTError, match=r"KERAS_BACKEND=jax: jax is not installed \(pip install jax\)"):
        errors.check_backend()


def test_options_that_would_give_a_useless_result_are_refused(tmp_path, capsys):
    from keras_nst.cli import main
    from super_res.cli import main as sr_main

    content, style = tmp_path / "c.png", tmp_path / "s.png"
    Image.fromarray(skimage_rgb("chelsea", (64, 48))).save(content)
    Image.fromarray(skimage_rgb("coffee", (64, 48))).save(style)
    for argv in (["--iters", "0"], ["--multires", "128,64"], ["--multires", "64,64"]):
        with pytest.raises(SystemExit) as e:  # argparse: usage and one error line, exit 2
            main(["transfer", "--content", str(content), "--style", str(style), *argv])
        assert e.value.code == 2
    assert not list(tmp_path.glob("c_s*"))
    Image.new("RGB", (1, 1)).save(tmp_path / "dot.png")
    assert main(["fast-stylize", str(tmp_path / "dot.png"), "--out", str(tmp_path / "o.png")]) == 2
    assert sr_main(["upscale", str(tmp_path / "dot.png"), "--out", str(tmp_path / "o.png")]) == 2
    assert capsys.readouterr().err.count("too small") == 2 and not (tmp_path / "o.png").exists()
    photos = tmp_path / "photos"
    photos.mkdir()
    Image.fromarray(skimage_rgb("astronaut", (200, 200))).save(photos / "a.png")
    for sizes in (["96", "24"], ["24", "72"]):
        assert sr_main(["prepare", "--src", str(photos), "--out", str(tmp_path / "d"), "--sizes", *sizes]) == 2
        assert "the low-res size first, then the high-res, 4x it" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_a_model_of_the_other_kind_is_named_both_ways(tmp_path):
    photo, out = tmp_path / "p.png", tmp_path / "o.png"
    Image.fromarray(skimage_rgb("chelsea", (40, 30))).save(photo)
    code, err = _cli("keras_nst", "fast-stylize", "--model", MODELS["sr"], photo, "--out", out)
    assert code == 2 and len(err.splitlines()) == 1 and "upscaling network (a super-resolution model)" in err, err
    code, err = _cli("super_res", "upscale", "--model", MODELS["style"], photo, "--out", out)
    assert code == 2 and len(err.splitlines()) == 1 and "same size (a fast style model)" in err, err
    assert "Could not locate" not in err and not out.exists()


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
    from keras_nst.transfer.controls import main as controls_main
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
             (controls_main, ["--content", photo, "--style", style, "--style2", style, "--out", taken[0]])]
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
