"""Lesson 8's optimisation-based style transfer, with lesson 9's tweaks: content and style
reconstruction, style transfer (batches, coarse to fine, every artistic control) and the controls'
sheet.

``defaults`` (Keras-free choices) -> ``experiments`` (the three experiments as terms, optimised by
the shared ``core.optimise``) -> ``controls`` (every control side by side). Names are imported on
first use, so the command line checks its inputs before Keras loads.
"""

from ..core.lazy import lazy_api

_API = {"experiments": ["Loss", "Result", "Run", "Start", "build_objective", "content_reconstruction",
                        "optimise_image", "style_reconstruction", "style_transfer", "style_transfer_batch"],
        "controls": ["controls", "save_controls"]}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
