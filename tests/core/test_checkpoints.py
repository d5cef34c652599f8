"""Every trainer's checkpoints: the last kept whole on a full disk, another precision refused, resumed to a model."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from helpers import ROOT, skimage_rgb, user_env
from helpers import run_main as _run
from helpers import train_argv as _train

ENV = user_env()  # as typed


@pytest.fixture
def style(tmp_path):
    path = tmp_path / "s.png"
    Image.fromarray(skimage_rgb("coffee", (48, 48))).save(path)
    return path


@pytest.fixture
def small_disk(tmp_path, request):
    """A tmpfs of ``request.param`` (e.g. "3m") at tmp_path/disk: root only."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small file system takes root")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={request.param}", "tmpfs", str(disk)]).returncode:
        pytest.skip("this machine does not let tmpfs be mounted")
    yield disk
    subprocess.run(["umount", "-l", str(disk)])


@pytest.mark.parametrize("package, small_disk", [("super_res", "3500k"), ("keras_nst", "80m")], indirect=["small_disk"])
def test_a_full_disk_at_a_checkpoint_is_one_line_and_keeps_the_last(vgg, prepared, style, small_disk, capsys, package):
    out = small_disk / "m.keras"
    argv = _train(package, prepared, out, "--epochs", 2, *(["--style", style] if package == "keras_nst" else []))
    done = subprocess.run([sys.executable, "-m", package, *map(str, argv)], capture_output=True, text=True, env=ENV,
                          cwd=ROOT, timeout=300)
    errors = [line for line in done.stderr.splitlines() if "error" in line.lower() or "Traceback" in line]
    assert done.returncode == 2, done.stderr[-3000:]  # was a segmentation fault (-11, 139 from a shell)
    assert errors == [f"{package.replace('_', '-')}: error: {out}.ckpt/epoch0002.weights.h5: No space left on device "
                      "(ENOSPC)"], done.stderr[-3000:]
    ckpt = Path(f"{out}.ckpt")
    state = json.loads((ckpt / "state.json").read_text())
    assert state["epoch"] == 1 and not [p for p in ckpt.iterdir() if p.name.startswith(".")]
    code, stdout, err = _run(capsys, package, *_train(package, prepared, out, "--epochs", 1, "--resume"))
    assert code == 0 and "wrote" in stdout and out.is_file(), err  # the last checkpoint is whole


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


@pytest.mark.parametrize("command", ["fast-train", "arbitrary-train"])
def test_a_finished_checkpoint_resumes_to_its_model(vgg, prepared, style, tmp_path, capsys, command):
    out = tmp_path / "m.keras"
    if command == "fast-train":
        argv, first = _train("keras_nst", prepared, out), ["--style", style]
    else:
        for folder, name in (("photos", "chelsea"), ("paintings", "coffee")):
            (tmp_path / folder).mkdir()
            Image.fromarray(skimage_rgb(name, (80, 64))).save(tmp_path / folder / f"{name}.png")
        argv = [command, "--level", "block1_conv1", "--photos", tmp_path / "photos", "--paintings",
                tmp_path / "paintings", "--out", out, "--steps-per-epoch", 1, "--batch-size", 2, "--crop", 32]
        first = []
    assert _run(capsys, "keras_nst", *argv, "--epochs", 1, *first)[0] == 0
    out.unlink()  # as a kill while it was written leaves it
    code, stdout, err = _run(capsys, "keras_nst", *argv, "--epochs", 1, "--resume")
    assert code == 0 and out.is_file() and "no epochs left to train" in stdout, err
