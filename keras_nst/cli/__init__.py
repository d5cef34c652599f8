"""Command line for lessons 8 and 9's style transfer: ``python -m keras_nst COMMAND`` (or ``keras-nst``).

A module per command group: ``transfer`` (transfer, content, style, demo), ``fast`` (fast-train,
fast-stylize), ``report`` (report, weights); ``flags`` and ``outputs`` are what they share. Inputs
and outputs are checked before Keras loads; any user error ends as one line on stderr and exit
status 2; outputs appear only when complete.
"""

import argparse

from ..core.errors import cli_main
from . import fast, report, transfer

GROUPS = (transfer, fast, report)


def parser():
    ap = argparse.ArgumentParser(prog="keras-nst", description="Gatys style transfer (fast.ai lessons 8-9).")
    ap.add_argument("--verbose", action="store_true", help="also show the Keras backend's own start-up messages")
    sub = ap.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return ap


def main(argv=None):
    commands = {name: command for group in GROUPS for name, command in group.COMMANDS.items()}
    return cli_main("keras-nst", parser(), lambda args: commands[args.command](args), argv)
