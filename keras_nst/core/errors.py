"""One error type for everything a user can get wrong: the CLIs print it as one line, no traceback."""

import sys


class NSTError(Exception):
    """Bad input or setup, with a message naming the file and the problem."""


def report_errors(prog, action):
    """Run ``action()`` for a CLI: a user error becomes one line on stderr and exit status 2."""
    try:
        return action() or 0
    except NSTError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; outputs are only ever written complete", file=sys.stderr)
        return 130
