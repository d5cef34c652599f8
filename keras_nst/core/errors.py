"""One error type for everything a user can get wrong, and the value checks several tasks share: the
command lines (``cli.kit``) print it as one line, no traceback; the web app in its tab's status line."""

import math


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
