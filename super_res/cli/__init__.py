"""Command line for lesson 9's super-resolution: ``python -m super_res COMMAND`` (or ``super-res``).

A module per command group: ``use`` (upscale, evaluate), ``export`` and ``training`` (prepare, train,
soup, drawn). Options and paths are checked before Keras loads; a user error is one line and exit status 2.
"""

from keras_nst.cli.kit import group_main, group_parser

from . import export, training, use

GROUPS = (use, export, training)


def parser():
    return group_parser("super-res", "Perceptual-loss x4 super-resolution (fast.ai lesson 9).", GROUPS)


def main(argv=None):
    return group_main("super-res", parser(), GROUPS, argv)
