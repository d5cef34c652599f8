"""Lesson 9's fast style transfer (Johnson et al. 2016): an image transform net per style, trained
once against the perceptual loss, then any photo in one forward pass.

``defaults`` and ``options`` (Keras-free: choices, shipped styles, run checks) -> ``model``
(``transform_net``) -> ``training`` / ``inference``; ``measures`` (FLOPs, checkerboard energy). Names
are imported on first use, so the command line checks its inputs before Keras loads.
"""

import importlib

_API = {
    "model": ["transform_net"],
    "options": ["Settings", "shipped"],
    "inference": ["load_style_model", "stylize", "auto_tile", "working_size"],
    "training": ["train"],
    "measures": ["checkerboard_energy", "forward_flops"],
}
_WHERE = {name: module for module, names in _API.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'keras_nst.fast_style' has no attribute '{name}'")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


def __dir__():
    return sorted(list(globals()) + __all__)
