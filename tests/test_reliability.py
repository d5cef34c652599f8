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
