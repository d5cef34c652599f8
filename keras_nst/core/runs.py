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
from .atomic import held_elsewhere, hold_dir, leftovers
from .errors import NSTError

STATE = "state.json"  # in OUT.ckpt/: the epoch and the weights file of the last good checkpoint


def checkpoint_dir(out):
    return Path(str(out) + ".ckpt")


def model_path(ckpt):
    """The model file whose checkpoint folder ``ckpt`` is."""
    return Path(str(ckpt)[:-len(".ckpt")])


def positive(value, option, integer=False):
    ok = math.isfinite(value) and value > 0 and (not integer or value == int(value))
    if not ok:
        raise NSTError(f"{option} must be a {'whole number' if integer else 'finite number'} > 0, got {value}")
    return value


def read_state(folder):
    """The state of the checkpoint in ``folder``; a one-line error saying the way on if there is none."""
    if not (Path(folder) / STATE).exists():  # no epoch finished: the run stopped before its first checkpoint
        raise NSTError(f"{folder}: no usable checkpoint to resume from (no epoch of a run finished there); start "
                       "without --resume")
    try:
        state = json.loads((Path(folder) / STATE).read_text())
        return {"epoch": int(state["epoch"]), "weights": str(state["weights"]), "settings": dict(state["settings"])}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise NSTError(f"{folder}: no usable checkpoint to resume from ({type(e).__name__}: {e}); start again "
                       "with --overwrite") from None


def check_run(out, *, data, epochs, batch_size, lr, lr_final, time_limit, steps_per_epoch, resume, overwrite,
              val_fraction=0, warmup=0):
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
    if data is not None:  # a prepared folder (None: the task reads its own pictures)
        open_arrays(data)  # before start_state, which removes a stale checkpoint under --overwrite
    ckpt = checkpoint_dir(out)
    if ckpt.exists() and not ckpt.is_dir():
        raise NSTError(f"{ckpt}: a file, where the run keeps its checkpoint folder; move it, or choose another --out")
    if held_elsewhere(ckpt):
        _busy(ckpt)
    if resume:
        read_state(ckpt)
    elif not overwrite:
        _no_checkpoint(ckpt)
        if out.exists():
            raise NSTError(f"{out}: already exists; choose another --out, or pass --overwrite to replace it")
    return ckpt


def _no_checkpoint(ckpt):
    """A new run's checkpoint folder holds none (a folder without a state file is what a run stopped
    before its first checkpoint left: a new run may take it)."""
    if (ckpt / STATE).exists():
        raise NSTError(f"{ckpt}: a checkpoint of an earlier run is there; pass --resume to continue it, or "
                       "--overwrite to start again")


def _busy(ckpt):
    raise NSTError(f"{ckpt}: another run is training with it now; wait for it to end, or give this one another --out")


def start_state(ckpt, *, epochs, resume, overwrite):
    """The checkpoint state to resume from (None: a fresh run, whose stale checkpoint is removed when
    asked to start again, so it is never resumed by mistake).

    The run holds its checkpoint folder from here until its model is written (``atomic.hold_dir``:
    a second run on it is refused in one line, and a killed one holds nothing), and first clears what
    a killed run left there: temporary files, a weights file its state does not name, the temporary
    file of the model. A checkpoint that has finished every epoch resumes with nothing to train: the
    model its run was killed before writing is written from it."""
    try:
        hold_dir(ckpt)
    except BlockingIOError:
        _busy(ckpt)
    if not resume:
        if overwrite:
            for path in ckpt.iterdir():  # the folder itself stays: it is what is held
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
        _no_checkpoint(ckpt)  # again, now that it is held: another run may have written one meanwhile
        _clear_leftovers(ckpt, None)
        return None
    state = read_state(ckpt)
    if state["epoch"] > epochs:
        raise NSTError(f"{ckpt}: already trained for {state['epoch']} epochs, more than --epochs {epochs}; pass "
                       f"--epochs {state['epoch']} to write its model, or a larger one to go on")
    _clear_leftovers(ckpt, state)
    return state


def _clear_leftovers(ckpt, state):
    kept = state["weights"] if state else None
    for path in [*ckpt.glob(".*"), *ckpt.glob("epoch*.weights.h5"), *leftovers(model_path(ckpt))]:
        if path.name != kept and path.is_file():
            path.unlink()


def run_precision(out, precision, *, resume):
    """The precision a training run computes in: ``--precision`` as typed (None: not typed), float32
    for a new run, the checkpoint's for a resumed one; a typed one that differs from the checkpoint's
    is refused, as every other setting is (``trainer.start_run``)."""
    if not resume:
        return precision or "float32"
    saved = read_state(checkpoint_dir(out))["settings"].get("network_loss", {}).get("precision", "float32")
    if precision is not None and precision != saved:
        raise NSTError(f"{checkpoint_dir(out)}: its run was trained with --precision {saved}, not {precision}; "
                       "--resume keeps a run's settings: leave --precision out, or start again with --overwrite")
    return saved
