"""Every command: an unknown or missing backend, useless options, a model of the other kind, SIGTERM, Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import pytest
from PIL import Image

from helpers import ROOT, skimage_rgb, user_env

ENV = user_env()  # as typed


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
    from keras_nst.cli import kit

    real = kit.importlib.util.find_spec
    monkeypatch.setattr(kit.importlib.util, "find_spec", lambda name, *a: None if name == "jax" else real(name, *a))
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    with pytest.raises(kit.NSTError, match=r"KERAS_BACKEND=jax: jax is not installed \(pip install jax\)"):
        kit.check_backend()


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


def test_sigterm_is_as_clean_as_ctrl_c(images, tmp_path):
    content, style = images
    folder = tmp_path / "styled"
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    proc = subprocess.Popen([sys.executable, "-m", "keras_nst", "transfer", "--content", str(content), str(style),
                             "--style", str(style), "--out", f"{folder}/", "--size", "64", "--iters", "200"],
                            cwd=tmp_path, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.time() + 240
    seen = ""
    while "iter" not in seen and time.time() < deadline:  # the progress bar: the work has started
        char = proc.stderr.read(1)
        assert char, seen  # the run ended early
        seen += char
    assert folder.is_dir()  # made by the run for its outputs
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err
    assert "terminated (SIGTERM); outputs are only ever written complete" in err
    assert "Traceback" not in err and not folder.exists()  # the empty folder it made is gone
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


LATE = """import atexit, os, signal, time

def late():  # the signal in the instant the run ends, while the libraries' exit callbacks run
    os.kill(os.getpid(), getattr(signal, os.environ["LATE_SIGNAL"]))
    time.sleep(0.5)

atexit.register(late)
from super_res.cli import main
raise SystemExit(main())
"""


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM"])
def test_an_interrupt_after_the_work_changes_nothing(tmp_path, name):
    src = tmp_path / "photos"
    src.mkdir()
    Image.fromarray(skimage_rgb("chelsea", (80, 64))).save(src / "cat.png")
    argv = ["prepare", "--src", src, "--out", tmp_path / "data", "--sizes", 16, 64, "--workers", 1]
    done = subprocess.run([sys.executable, "-c", LATE, *map(str, argv)], capture_output=True, text=True,
                          env=dict(ENV, LATE_SIGNAL=name), cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Interrupt" not in done.stderr and "terminated" not in done.stderr
    assert (tmp_path / "data" / "manifest.json").is_file()


def test_a_command_called_from_python_gives_back_the_signal_handlers(tmp_path):
    from super_res.cli import main

    before = [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)]
    assert main(["prepare", "--src", str(tmp_path / "none"), "--out", str(tmp_path / "data")]) == 2
    assert [signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)] == before
