"""super_res train and prepare: one run at a time on a checkpoint or data folder, and what a killed run leaves."""

import json
import signal
import subprocess
import sys

import pytest
from PIL import Image

from helpers import ROOT, skimage_rgb, user_env
from helpers import run_main as _run
from helpers import train_argv as _train

ENV = user_env()  # as typed


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
