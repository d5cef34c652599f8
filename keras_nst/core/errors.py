"""One error type for everything a user can get wrong: the CLIs print it as one line, no traceback."""

import contextlib
import math
import os
import sys

from .atomic import remove_unused_dirs


class NSTError(Exception):
    """Bad input or setup, with a message naming the file and the problem."""


def check_weight(value, option):
    """A weight: finite and not negative, else a one-line error naming the option."""
    value = float(value)
    if not math.isfinite(value) or value < 0:
        raise NSTError(f"{option} must be a finite number >= 0, got {value}")
    return value


def blend_weights(blend, n):
    """``n`` style weights summing to 1 (equal when not given), checked."""
    blend = [1.0] * n if blend is None else [float(w) for w in blend]
    if len(blend) != n:
        raise NSTError(f"{n} style images but {len(blend)} --style-blend weights: give one weight per style")
    if not all(math.isfinite(w) and w >= 0 for w in blend) or sum(blend) <= 0:
        raise NSTError(f"--style-blend weights must be finite, >= 0 and not all 0, got {blend}")
    return [w / sum(blend) for w in blend]


def report_errors(prog, action):
    """Run ``action()`` for a CLI: a user error becomes one line on stderr and exit status 2."""
    try:
        try:
            return action() or 0
        finally:  # an output folder made at the start, still empty, goes with a run that stopped
            remove_unused_dirs()
    except NSTError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; outputs are only ever written complete", file=sys.stderr)
        return 130


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


def cli_main(prog, parser, run, argv=None):
    """A command line's main: parse, then ``run(args)`` with one-line errors, and native start-up
    noise kept off the terminal unless asked for (``--verbose`` or the user's own TF_CPP_MIN_LOG_LEVEL)."""
    quiet = "TF_CPP_MIN_LOG_LEVEL" not in os.environ
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parser.parse_args(argv)
    with native_stderr_quiet(quiet and not args.verbose):
        return report_errors(prog, lambda: run(args))
