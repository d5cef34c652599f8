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
    if data is not None:  # a prepared folder (None: the task reads its own pictures)
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


WARMUP_HELP = ("first raise the learning rate linearly from 0 to --lr over this many steps (default 0); for a run "
               "that starts from a trained network, whose first Adam steps would otherwise shake it")


def add_run_flags(p, *, batch_size, val_fraction):
    """The flags every feed-forward training command shares (``fast-train``, ``super_res train``):
    data, output, schedule, time limit, checkpoints."""
    p.add_argument("--data", required=True, help="a folder made by 'python -m super_res prepare'")
    p.add_argument("--out", required=True, help="model file, *.keras (checkpoints go in OUT.ckpt/)")
    p.add_argument("--epochs", type=int, default=2, help="default 2")
    p.add_argument("--steps-per-epoch", type=int, help="default: the whole data set")
    p.add_argument("--batch-size", type=int, default=batch_size,
                   help=f"a multiple of the data's chunk length (default {batch_size})")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate (default 1e-3)")
    p.add_argument("--lr-final", type=float, default=1e-4, help="cosine annealing ends here (default 1e-4)")
    p.add_argument("--warmup", type=int, default=0, metavar="STEPS", help=WARMUP_HELP)
    p.add_argument("--val-fraction", type=float, default=val_fraction,
                   help=f"held-out share of chunks (default {val_fraction})")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--overwrite", action="store_true", help="start again, replacing OUT and OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    p.add_argument("--seed", type=int, default=0, help="default 0")


def run_options(args):
    """The run's options from ``add_run_flags``' flags, as ``check_run`` and the trainers take them."""
    return dict(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, lr_final=args.lr_final,
                val_fraction=args.val_fraction, time_limit=args.time_limit, steps_per_epoch=args.steps_per_epoch,
                resume=args.resume, overwrite=args.overwrite, warmup=args.warmup)


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


def report_run(history, out, precision):
    """The last line of a training command."""
    val = f", validation {history['val_loss'][-1]:.5g}" if "val_loss" in history else ""
    shown = "bfloat16 (mixed precision)" if precision == "mixed" else "float32"
    print(f"final loss {history['loss'][-1]:.5g}{val}; wrote {out} (trained in {shown})")
