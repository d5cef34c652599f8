"""The command lines' own kit: what turns the course's scripts into commands that behave.

Lesson 8's notebook runs one cell after another and shows a traceback when something is wrong; a
command must instead name the file or option in one line (exit status 2) before any work, stop on
Ctrl-C or SIGTERM leaving nothing half-written, keep native libraries' start-up noise off the
terminal, and offer the same flag the same way in every command. Both command lines (``keras_nst``'s
and ``super_res``'s) and only they use this module: the tasks and the core know nothing of argparse.
"""

import argparse
import contextlib
import errno
import importlib.util
import os
import signal
import sys
import threading

from ..core.atomic import WRITE_ERRNOS, release_dirs, remove_unused_dirs
from ..core.defaults import (
    BACKENDS,
    EXPORT_CHECK_SIDE,
    EXPORT_FORMATS,
    PRECISION,
    PRECISION_CHOICES,
    PRECISIONS,
    TRAIN_EPOCHS,
    TRAIN_LR,
    TRAIN_LR_FINAL,
)
from ..core.errors import NSTError


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, systemd, job schedulers), raised like Ctrl-C's KeyboardInterrupt so that the
    same clean-up runs: temporary files removed, empty output folders taken back."""


def _terminated(signum, frame):
    raise Terminated


@contextlib.contextmanager
def sigterm_as_interrupt():
    """Inside, SIGTERM raises ``Terminated`` in the main thread (elsewhere signals cannot be handled)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGTERM) is _terminated:  # not if told to ignore it meanwhile
            signal.signal(signal.SIGTERM, previous)


STOPS = (signal.SIGINT, signal.SIGTERM)


def report_errors(prog, action, *, exiting=False):
    """Run ``action()`` for a CLI: a user error becomes one line on stderr and exit status 2; Ctrl-C
    and SIGTERM one line too, exit 130 and 143 (128 + the signal), after the same clean-up.

    Once ``action`` has ended, its outputs written or its error about to be told, Ctrl-C and SIGTERM
    are ignored: they would change nothing, and would print a traceback from wherever they landed
    (a library's exit callback). ``exiting``: the process ends next, so they stay ignored through its
    exit; else they are restored when this returns."""
    main = threading.current_thread() is threading.main_thread()  # signals are handled there only
    handlers = {s: signal.getsignal(s) for s in STOPS} if main else {}
    try:
        try:
            with sigterm_as_interrupt():
                try:
                    return action() or 0
                finally:
                    for s in handlers:
                        signal.signal(s, signal.SIG_IGN)
        finally:  # an output folder made at the start, still empty, goes with a run that stopped
            remove_unused_dirs()
            release_dirs()
    except NSTError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a full disk, a read-only file system, no permission: named, no traceback
        if e.errno not in WRITE_ERRNOS:
            raise
        print(f"{prog}: error: {e.filename}: {e.strerror} ({errno.errorcode[e.errno]})", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        stopped = "terminated (SIGTERM)" if isinstance(e, Terminated) else "interrupted"
        print(f"{prog}: {stopped}; outputs are only ever written complete", file=sys.stderr)
        return 128 + (signal.SIGTERM if isinstance(e, Terminated) else signal.SIGINT)
    finally:
        for s, handler in handlers.items():
            if not exiting and handler is not None:  # None: set outside Python, cannot be set back
                signal.signal(s, handler)


@contextlib.contextmanager
def native_stderr_quiet(enabled=True):
    """Native libraries' messages (TensorFlow's oneDNN notice and CUDA probe, absl's start-up line)
    are written to file descriptor 2 from C++, where ``TF_CPP_MIN_LOG_LEVEL`` does not reach them all.
    Inside, descriptor 2 goes to /dev/null while Python's ``sys.stderr`` (our errors, tqdm, warnings,
    tracebacks) keeps writing to the terminal through a copy of the original descriptor."""
    if not enabled:
        yield
        return
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    old_stderr = sys.stderr
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = os.fdopen(os.dup(saved), "w", buffering=1)
    try:
        yield
    finally:
        sys.stderr.flush()
        sys.stderr.close()
        sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)


def check_backend():
    """``KERAS_BACKEND`` names a backend this project runs on, and it is installed: else one line, before
    Keras is imported (which would fail with its own traceback)."""
    name = os.environ.get("KERAS_BACKEND")
    if name is None:
        return
    installed = [b for b in BACKENDS if importlib.util.find_spec(b) is not None]
    if name not in BACKENDS:
        raise NSTError(f"KERAS_BACKEND={name}: not a backend keras-nst runs on; set it to one of {', '.join(BACKENDS)} "
                       f"(installed here: {', '.join(installed) or 'none'})")
    if name not in installed:
        raise NSTError(f"KERAS_BACKEND={name}: {name} is not installed (pip install {name}); installed here: "
                       f"{', '.join(installed) or 'none'}")


def cli_main(prog, parser, run, argv=None):
    """A command line's main: parse, then ``run(args)`` with one-line errors, and native start-up
    noise kept off the terminal unless asked for (``--verbose`` or the user's own TF_CPP_MIN_LOG_LEVEL).
    Without ``argv`` (the command line itself, not a caller in Python) the process exits next."""
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parser.parse_args(argv)
    with native_stderr_quiet(quiet and not args.verbose):
        return report_errors(prog, lambda: check_backend() or run(args), exiting=argv is None)


def add_overwrite_flag(p):
    """``--overwrite``, the one switch with which a command that writes images may replace files
    (the rule: ``image_io.check_output`` and ``write_output``)."""
    p.add_argument("--overwrite", action="store_true",
                   help="replace output files that exist already (default: refuse them before any work; "
                        "default names never replace a file, they go on to NAME-1, NAME-2, ...)")


def add_precision_flag(p, mixed, *, training=False):
    """``--precision`` for a command that runs a network; ``mixed`` says what it then does in bfloat16.
    A training run names one precision (its checkpoint keeps it, for ``--resume`` on any machine):
    float32 unless asked."""
    if training:
        p.add_argument("--precision", choices=list(PRECISIONS),
                       help=f"mixed: {mixed}, losses in float32; the saved model is float32 either way (default "
                            "float32, or the checkpoint's with --resume; benchmarks/RESULTS.md says where mixed "
                            "trains faster)")
        return
    p.add_argument("--precision", choices=PRECISION_CHOICES, default=PRECISION,
                   help=f"auto (default): mixed where this CPU or GPU computes bfloat16 natively and the backend "
                        f"gains from it, else float32; mixed: {mixed}; float32: exact")


def group_parser(prog, description, groups):
    """A command line's parser, from command groups: modules with ``add_parsers(subparsers)`` and a
    ``COMMANDS`` dict (name -> function of the parsed arguments)."""
    ap = argparse.ArgumentParser(prog=prog, description=description)
    ap.add_argument("--verbose", action="store_true", help="also show the Keras backend's own start-up messages")
    sub = ap.add_subparsers(dest="command", required=True)
    for group in groups:
        group.add_parsers(sub)
    return ap


def group_main(prog, parser, groups, argv=None):
    """``cli_main`` over the groups' commands."""
    commands = {name: command for group in groups for name, command in group.COMMANDS.items()}
    return cli_main(prog, parser, lambda args: commands[args.command](args), argv)


def add_training_flags(p, *, mixed, batch_size, val_fraction=None, epochs=TRAIN_EPOCHS, steps_per_epoch=None,
                       lr=TRAIN_LR, lr_final=TRAIN_LR_FINAL):
    """The flags every training command shares (``fast-train``, ``arbitrary-train``, ``super_res
    train``): output, schedule, time limit, checkpoints, VGG16's weights, precision; with
    ``val_fraction`` (a trainer of a prepared folder) also ``--data`` and ``--val-fraction``."""
    if val_fraction is not None:
        p.add_argument("--data", required=True, help="a folder made by 'python -m super_res prepare'")
    p.add_argument("--out", required=True, help="the network, *.keras (checkpoints go in OUT.ckpt/)")
    p.add_argument("--epochs", type=int, default=epochs, help=f"default {epochs}")
    p.add_argument("--steps-per-epoch", type=int, default=steps_per_epoch,
                   help=f"default {steps_per_epoch or 'the whole data set'}")
    p.add_argument("--batch-size", type=int, default=batch_size,
                   help=f"default {batch_size}" + ("; a multiple of the data's chunk length" if val_fraction else ""))
    p.add_argument("--lr", type=float, default=lr, help=f"Adam's learning rate (default {lr:g})")
    p.add_argument("--lr-final", type=float, default=lr_final,
                   help=f"cosine annealing ends here (default {lr_final:g})")
    p.add_argument("--warmup", type=int, default=0, metavar="STEPS",
                   help="first raise the learning rate linearly from 0 to --lr over this many steps (default 0); "
                        "for a run that starts from a trained network, whose first Adam steps would shake it")
    if val_fraction is not None:
        p.add_argument("--val-fraction", type=float, default=val_fraction,
                       help=f"held-out share of chunks (default {val_fraction})")
    p.add_argument("--time-limit", type=float, metavar="MIN", help="stop after this many minutes (checkpointed)")
    p.add_argument("--resume", action="store_true", help="continue from OUT.ckpt/")
    p.add_argument("--overwrite", action="store_true", help="start again, replacing OUT and OUT.ckpt/")
    p.add_argument("--weights", default="auto", metavar="SRC", help="VGG16 weights source, as for transfer")
    p.add_argument("--seed", type=int, default=0, help="default 0")
    add_precision_flag(p, mixed, training=True)


def run_options(args):
    """The run's options from ``add_training_flags``' flags, as ``runs.check_run`` and the trainers take them."""
    run = dict(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, lr_final=args.lr_final,
               time_limit=args.time_limit, steps_per_epoch=args.steps_per_epoch, resume=args.resume,
               overwrite=args.overwrite, warmup=args.warmup)
    return {**run, "val_fraction": args.val_fraction} if "val_fraction" in args else run


def report_run(history, out, precision):
    """The last line of a training command."""
    shown = "bfloat16 (mixed precision)" if precision == "mixed" else "float32"
    if not history:  # a checkpoint that had finished every epoch
        print(f"no epochs left to train; wrote {out} from its checkpoint (trained in {shown})")
        return
    val = f", validation {history['val_loss'][-1]:.5g}" if "val_loss" in history else ""
    print(f"final loss {history['loss'][-1]:.5g}{val}; wrote {out} (trained in {shown})")


def export_flags(p):
    """The flags ``export`` takes in both command lines, beside its ``--model``."""
    p.add_argument("--format", required=True, choices=list(EXPORT_FORMATS),
                   help="onnx (.onnx, for onnxruntime), litert (.tflite, for the LiteRT interpreter) or "
                        "savedmodel (a folder, for TensorFlow); float32, at any input size")
    p.add_argument("--out", help="the file (a folder for savedmodel); default: the model's name with the format's "
                                 "suffix, in the current folder, never replacing a file")
    add_overwrite_flag(p)
    p.add_argument("--photo", help=f"the photo the exported file is checked on against Keras (default: scikit-image's "
                                   f"coffee); resized to {EXPORT_CHECK_SIDE} px out")
