"""A training run's options, paths and checkpoint state, checked without Keras.

Lesson 9's trainers run for hours, so a typo must be caught before any work; and since importing
Keras takes ~10 s, the checks live here, away from the trainer (``trainer``), so the command lines
report a wrong path or option at once, before the backend loads.
"""

import json
import math
import shutil
from pathlib import Path

from .arrays import open_arrays
from .errors import NSTError

STATE = "state.json"  # in OUT.ckpt/: the epoch and the weights file of the last good checkpoint


def checkpoint_dir(out):
    return Path(str(out) + ".ckpt")


def positive(value, option, integer=False):
    ok = math.isfinite(value) and value > 0 and (not integer or value == int(value))
    if not ok:
        raise NSTError(f"{option} must be a {'whole number' if integer else 'finite number'} > 0, got {value}")
    return value


def read_state(folder):
    """The state of the checkpoint in ``folder``; a one-line error if there is none."""
    try:
        state = json.loads((Path(folder) / STATE).read_text())
        return {"epoch": int(state["epoch"]), "weights": str(state["weights"]), "settings": dict(state["settings"])}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise NSTError(f"{folder}: no usable checkpoint to resume from ({type(e).__name__}: {e})") from None


def check_run(out, *, data, epochs, batch_size, lr, lr_final, val_fraction, time_limit, steps_per_epoch, resume,
              overwrite, warmup=0):
    """A training run's common options, its prepared ``data`` folder and its output paths, before any
    work: the checkpoint folder."""
    out = Path(out)
    if out.suffix != ".keras":
        raise NSTError(f"{out}: the model is saved in Keras' format; name it *.keras")
    if not out.parent.is_dir():
        raise NSTError(f"{out}: folder {out.parent} does not exist")
    for value, option in ((epochs, "--epochs"), (batch_size, "--batch-size")):
        positive(value, option, integer=True)
    if steps_per_epoch is not None:
        positive(steps_per_epoch, "--steps-per-epoch", integer=True)
    if time_limit is not None:
        positive(time_limit, "--time-limit")
    positive(lr_final, "--lr-final")
    if not positive(lr, "--lr") >= lr_final:
        raise NSTError(f"learning rates must satisfy 0 < --lr-final ({lr_final}) <= --lr ({lr})")
    if warmup and not (positive(warmup, "--warmup", integer=True) and warmup < epochs * (steps_per_epoch or 1e9)):
        raise NSTError(f"--warmup {warmup} must be fewer steps than the run's --epochs x --steps-per-epoch")
    if not 0 <= val_fraction < 1:
        raise NSTError(f"--val-fraction must be in [0, 1), got {val_fraction}")
    open_arrays(data)  # before start_state, which removes a stale checkpoint under --overwrite
    ckpt = checkpoint_dir(out)
    if resume:
        read_state(ckpt)
    elif ckpt.exists() and not overwrite:
        raise NSTError(f"{ckpt}: a checkpoint of an earlier run is there; pass --resume to continue it, or "
                       "--overwrite to start again")
    elif out.exists() and not overwrite:
        raise NSTError(f"{out}: already exists; choose another --out, or pass --overwrite to replace it")
    return ckpt


def start_state(ckpt, *, epochs, resume, overwrite):
    """The checkpoint state to resume from (None: a fresh run, whose stale checkpoint is removed when
    asked to start again, so it is never resumed by mistake)."""
    if not resume:
        if overwrite and ckpt.exists():
            shutil.rmtree(ckpt)
        return None
    state = read_state(ckpt)
    if state["epoch"] >= epochs:
        raise NSTError(f"{ckpt}: already trained for {state['epoch']} epochs; pass a larger --epochs to go on")
    return state
