"""Command line for lessons 8 and 9's style transfer: ``python -m keras_nst COMMAND`` (or ``keras-nst``).

A module per command group: ``transfer`` (transfer, content, style, demo; ``transfer_video`` its
clips), ``controls``, ``harmonize``, ``fast_train`` (fast-train), ``fast`` (fast-stylize), ``arbitrary``
(arbitrary-train), ``export``, ``report`` (report, weights), ``serve`` (the web app); ``flags`` and
``outputs`` are what the style-transfer commands share, ``kit`` what every command shares
(``super_res``'s too): the runtime, the training and output flags. Inputs and outputs are checked
before Keras loads; any user error ends as one line on stderr and exit status 2; outputs appear only
when complete.
"""

from . import arbitrary, controls, export, fast, fast_train, harmonize, report, serve, transfer
from .kit import group_main, group_parser

GROUPS = (transfer, controls, harmonize, fast_train, fast, arbitrary, export, report, serve)


def parser():
    return group_parser("keras-nst", "Gatys style transfer (fast.ai lessons 8-9).", GROUPS)


def main(argv=None):
    return group_main("keras-nst", parser(), GROUPS, argv)
