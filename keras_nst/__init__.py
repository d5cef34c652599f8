"""keras-nst: the fast.ai part-2 lesson 8/9 Gatys style transfer, in Keras 3 (TensorFlow, JAX, torch).

The shared core, ``keras_nst.core`` (offline VGG16, the loss contract of weighted terms, the one
backend module, the perceptual trainer, image i/o), serves two tasks: optimisation-based style
transfer here (``optimise``: Evaluator, solve_image; ``device_opt``; ``experiments``: content/style
reconstruction, style transfer), fast style transfer (``fast_style``) and feed-forward
super-resolution (``super_res``).

Names are imported on first use, so ``python -m keras_nst --help`` and input checks don't wait
for Keras and its backend to load; the custom layers of the shipped networks register themselves
as soon as Keras is imported, so ``keras.models.load_model`` opens those files.
"""

import importlib

from .core.registry import register_on_keras_import

register_on_keras_import("keras_nst.core.layers")

_API = {
    "core.errors": ["NSTError"],
    "core.image_io": ["load_image", "save_image"],
    "optimise": ["Evaluator", "blurred_noise", "solve_image"],
    "core.vgg": ["VGG16_Avg", "deproc", "feature_model", "preproc"],
    "core.terms": ["content_loss", "gram_matrix", "style_loss", "total_variation"],
    "experiments": ["Result", "content_reconstruction", "style_reconstruction", "style_transfer",
                    "style_transfer_batch"],
    "fast_style": ["load_style_model", "stylize", "transform_net"],
    "harmonization": ["harmonize"],
    "harmonization_inputs": ["compose"],
}
_WHERE = {name: module for module, names in _API.items() for name in names}
__all__ = sorted(_WHERE)
__version__ = "0.1.0"


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'keras_nst' has no attribute '{name}'")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)


def __dir__():
    return sorted(list(globals()) + __all__)
