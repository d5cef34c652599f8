"""Any painting in one pass (Huang & Belongie 2017, AdaIN): lesson 8's VGG16_Avg encodes the photo
and the painting, the photo's features take the painting's per-channel statistics, and one trained
decoder paints the result; no network per style, no optimisation per photo.

``defaults`` (Keras-free) -> ``model`` (``adain``, ``decoder``) -> ``training`` / ``inference``.
Names are imported on first use, so the command line checks its inputs before Keras loads.
"""

from ..core.lazy import lazy_api

_API = {
    "model": ["decoder", "encoder"],
    "transforms": ["statistics", "transform"],
    "training": ["train"],
    "inference": ["load_decoder", "load_decoders", "painter"],
}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
