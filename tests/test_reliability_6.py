"""The sixth round: ``--grid`` never the name of another output, an interrupt after the work changes
nothing, a full disk during a checkpoint, one run at a time on a checkpoint and on a prepared folder,
and what a killed training run leaves: cleared, its finished checkpoint's model written, the way on said."""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from helpers import prepare_tiny, skimage_rgb

ROOT = Path(__file__).resolve().parents[1]
ENV = {**{k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}, "PYTHONPATH": str(ROOT)}  # as typed


def _main(package):
    return __import__(f"{package}.cli", fromlist=["main"]).main


def _run(capsys, package, *argv):
    code = _main(package)([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err.strip()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    return prepare_tiny(tmp_path_factory, chunklen=2)


@pytest.fixture
def style(tmp_path):
    path = tmp_path / "s.png"
    Image.fromarray(skimage_rgb("coffee", (48, 48))).save(path)
    return path


# the super-resolution trainer at its smallest: pixel loss only (no VGG16), one residual block
SR = ["--batch-size", 2, "--steps-per-epoch", 1, "--n-res", 1, "--feature-weight", 0, "--pixel-weight", 1]
FAST = ["--batch-size", 2, "--steps-per-epoch", 1, "--image-size", 48, "--res-blocks", 1, "--filters", 8]


def _train(package, prepared, out, *flags):
    command, small = ("train", SR) if package == "super_res" else ("fast-train", FAST)
    return [command, "--data", prepared, "--out", out, *small, *flags]


# --grid (5)

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


# an interrupt as the run ends (6)

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


# a full disk during a checkpoint (7)

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


# one run at a time (8, 9)

HOLD = """import sys
from pathlib import Path
from keras_nst.core.runs import start_state
start_state(Path(sys.argv[1]), epochs=9, resume=True, overwrite=False)  # as a run with --resume does
print("held", flush=True)
sys.stdin.read()
"""


def test_a_second_run_on_one_checkpoint_is_refused_and_a_killed_one_holds_nothing(prepared, tmp_path, capsys):
    out = tmp_path / "m.keras"
    assert _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 1))[0] == 0
    other = subprocess.Popen([sys.executable, "-c", HOLD, f"{out}.ckpt"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
    try:
        assert other.stdout.readline() == "held\n"
        code, _, err = _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 2, "--resume"))
        assert code == 2 and err == f"super-res: error: {out}.ckpt: another run is training with it now; wait for " \
                                    "it to end, or give this one another --out"
        assert json.loads((tmp_path / "m.keras.ckpt" / "state.json").read_text())["epoch"] == 1
    finally:
        other.kill()  # kill -9: the system lets go of its lock
        other.wait()
    code, _, err = _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 2, "--resume"))
    assert code == 0, err
    assert json.loads((tmp_path / "m.keras.ckpt" / "state.json").read_text())["epoch"] == 2


@pytest.fixture
def photos(tmp_path):
    src = tmp_path / "photos"
    src.mkdir()
    for name in ("chelsea", "coffee"):
        Image.fromarray(skimage_rgb(name, (80, 64))).save(src / f"{name}.png")
    return src


PAUSED = """import sys
from super_res import prepare as P

work = P.samples

def paused(*args, **kwargs):  # this run is at work, and waits there
    print("working", flush=True)
    sys.stdin.read()
    return work(*args, **kwargs)

P.samples = paused
P.prepare(sys.argv[1], sys.argv[2], sizes=(16, 64), workers=1)
"""


def test_prepare_into_a_folder_another_prepare_is_filling_is_refused(photos, tmp_path, capsys):
    out = tmp_path / "data"
    other = subprocess.Popen([sys.executable, "-c", PAUSED, photos, out], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=ENV, cwd=ROOT)
    try:
        assert other.stdout.readline() == "working\n"
        code, _, err = _run(capsys, "super_res", "prepare", "--src", photos, "--out", out, "--sizes", 16, 64)
        assert code == 2 and err.splitlines()[-1] == f"super-res: error: {out}: another prepare run is writing into " \
                                                  "it now; choose another --out"
        assert not (out / "manifest.json").exists()
        other.stdin.close()  # the first goes on, and ends whole
        assert other.wait(timeout=120) == 0 and (out / "manifest.json").is_file()
    finally:
        other.kill()
        other.wait()


def test_prepare_refuses_a_folder_another_prepare_filled_while_it_read(photos, tmp_path, monkeypatch):
    from keras_nst.core.errors import NSTError
    from super_res import prepare as P

    out, find = tmp_path / "data", P.find_images

    def raced(src):  # the other run, started at the same moment, finishes first
        monkeypatch.setattr(P, "find_images", find)
        P.prepare(src, out, sizes=(16, 64), workers=1, seed=1)
        return find(src)

    monkeypatch.setattr(P, "find_images", raced)
    with pytest.raises(NSTError, match="manifest.json: already exists"):
        P.prepare(photos, out, sizes=(16, 64), workers=1)
    assert json.loads((out / "manifest.json").read_text())["seed"] == 1  # the other's, whole


# what a killed training run leaves (10)

KILLED = """import os, signal, sys
import keras

def killed(self, path, *args, **kwargs):  # kill -9 half-way through writing the file
    with open(path, "wb") as f:
        f.write(b"half")
    os.kill(os.getpid(), signal.SIGKILL)

setattr(keras.Model, os.environ["KILLED_IN"], killed)
from super_res.cli import main
raise SystemExit(main())
"""


def _killed_in(method, prepared, out):
    done = subprocess.run([sys.executable, "-c", KILLED, *map(str, _train("super_res", prepared, out, "--epochs", 1))],
                          capture_output=True, text=True, env=dict(ENV, KILLED_IN=method), cwd=ROOT, timeout=300)
    assert done.returncode == -signal.SIGKILL, done.stderr[-3000:]


def _hidden(folder):
    return [p.name for p in folder.iterdir() if p.name.startswith(".")]


def test_a_kill_while_the_model_is_written_resumes_to_the_model(prepared, tmp_path, capsys):
    out, ckpt = tmp_path / "m.keras", tmp_path / "m.keras.ckpt"
    _killed_in("save", prepared, out)
    assert not out.exists() and _hidden(tmp_path) and json.loads((ckpt / "state.json").read_text())["epoch"] == 1
    (ckpt / ".epoch0001.weights.abcd1234.weights.h5").write_bytes(b"half")  # an earlier kill's, at a checkpoint
    code, stdout, err = _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 1, "--resume"))
    assert code == 0, err
    assert f"no epochs left to train; wrote {out} from its checkpoint" in stdout
    from super_res.upscale import load_model

    assert load_model(out).count_params() > 0
    assert not _hidden(tmp_path) and not _hidden(ckpt)  # the kills' temporary files are gone


def test_a_kill_at_the_first_checkpoint_says_the_way_on(prepared, tmp_path, capsys):
    out, ckpt = tmp_path / "m.keras", tmp_path / "m.keras.ckpt"
    _killed_in("save_weights", prepared, out)
    assert _hidden(ckpt) and not (ckpt / "state.json").exists()
    code, _, err = _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 1, "--resume"))
    assert code == 2 and err.endswith("no usable checkpoint to resume from (no epoch of a run finished there); start "
                                      "without --resume")
    code, _, err = _run(capsys, "super_res", *_train("super_res", prepared, out, "--epochs", 1))
    assert code == 0, err
    assert out.is_file() and not _hidden(ckpt) and (ckpt / "state.json").is_file()


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
