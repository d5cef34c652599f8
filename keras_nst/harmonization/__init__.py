"""The 2018 lesson's closing project, painterly harmonization (Luan et al. 2018): an object pasted
into a painting, painted in by two passes of patch-matched style terms.

``defaults`` and ``inputs`` (Keras-free: style levels, masks, dilation, pasting an object with
``compose``) -> ``passes`` (the patch mappings and the two optimisations, on the shared optimiser
``core.optimise``). Names are imported on first use, so the command line checks its inputs before
Keras loads.
"""

from ..core.lazy import lazy_api

_API = {"passes": ["harmonize", "nearest_patches", "consistent", "carry", "matched"],
        "post": ["post_process"],
        "inputs": ["compose", "check_mask", "dilate", "level_weights", "Weights"]}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
