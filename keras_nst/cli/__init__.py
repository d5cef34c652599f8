"""Command line for lessons 8 and 9's style transfer: ``python -m keras_nst COMMAND`` (or ``keras-nst``).

A module per command group: ``transfer`` (transfer, content, style, demo), ``harmonize``, ``fast``
(fast-train, fast-stylize), ``arbitrary`` (arbitrary-train), ``export``, ``report`` (report, weights), ``serve``
(the web app); ``flags`` and ``outputs`` are what they share. Inputs and outputs are checked before
Keras loads; any user error ends as one line on stderr and exit status 2; outputs appear only when
complete.
"""

from ..core.errors import group_main, group_parser
from . import arbitrary, export, fast, harmonize, report, serve, transfer

GROUPS = (transfer, harmonize, fast, arbitrary, export, report, serve)


def parser():
    return group_parser("keras-nst", "Gatys style transfer (fast.ai lessons 8-9).", GROUPS)


def main(argv=None):
    return group_main("keras-nst", parser(), GROUPS, argv)
