"""One error type for everything a user can get wrong: the CLI prints it as one line, no traceback."""


class NSTError(Exception):
    """Bad input or setup, with a message naming the file and the problem."""
