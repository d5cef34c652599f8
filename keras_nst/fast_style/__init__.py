"""Lesson 9's fast style transfer (Johnson et al. 2016): an image transform net per style, trained
once against the perceptual loss, then any photo in one forward pass.

``defaults`` and ``options`` (Keras-free: choices, shipped styles, run checks) -> ``model``
(``transform_net``) -> ``training`` / ``inference``; ``measures`` (FLOPs, checkerboard energy). Names
are imported on first use, so the command line checks its inputs before Keras loads.
"""

from ..core.lazy import lazy_api

_API = {
    "model": ["transform_net"],
    "options": ["Settings", "shipped"],
    "inference": ["load_style_model", "stylize", "auto_tile", "working_size"],
    "training": ["train"],
    "measures": ["checkerboard_energy", "forward_flops"],
}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
