"""Command line for lesson 9's super-resolution: ``python -m super_res COMMAND`` (or ``super-res``).

A module per command group: ``use`` (upscale, evaluate) and ``training`` (prepare, train, soup,
drawn). Options and paths are checked before Keras loads; a user error is one line and exit status 2.
"""

import argparse

from keras_nst.core.errors import cli_main

from . import training, use

GROUPS = (use, training)


def parser():
    ap = argparse.ArgumentParser(prog="super-res",
                                 description="Perceptual-loss x4 super-resolution (fast.ai lesson 9).")
    ap.add_argument("--verbose", action="store_true", help="also show the Keras backend's own start-up messages")
    sub = ap.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.add_parsers(sub)
    return ap


def main(argv=None):
    commands = {name: command for group in GROUPS for name, command in group.COMMANDS.items()}
    return cli_main("super-res", parser(), lambda args: commands[args.command](args), argv)
