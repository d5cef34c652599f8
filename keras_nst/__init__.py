"""keras-nst: the fast.ai part-2 lesson 8/9 Gatys style transfer, in Keras 3 (TensorFlow, JAX, torch).

The shared core, ``keras_nst.core`` (offline VGG16, the loss contract of weighted terms, the one
backend module, the image optimiser ``core.optimise``: Evaluator, solve_image, on-device L-BFGS;
the perceptual trainer, image i/o), serves the tasks: optimisation-based style transfer
(``transfer``: content/style reconstruction, style transfer, the controls), harmonization
(``harmonization``), fast style transfer (``fast_style``), arbitrary style in one pass
(``arbitrary``) and feed-forward super-resolution (``super_res``).

Names are imported on first use, so ``python -m keras_nst --help`` and input checks don't wait
for Keras and its backend to load; the custom layers of the shipped networks register themselves
as soon as Keras is imported, so ``keras.models.load_model`` opens those files.
"""

from .core.lazy import lazy_api
from .core.registry import register_on_keras_import

register_on_keras_import("keras_nst.core.layers")

_API = {
    "core.errors": ["NSTError"],
    "core.image_io": ["load_image", "save_image"],
    "core.optimise": ["Evaluator", "blurred_noise", "solve_image"],
    "core.vgg": ["VGG16_Avg", "deproc", "feature_model", "preproc"],
    "core.terms": ["content_loss", "gram_matrix", "style_loss", "total_variation"],
    "transfer": ["Result", "content_reconstruction", "style_reconstruction", "style_transfer", "style_transfer_batch"],
    "fast_style": ["load_style_model", "stylize", "transform_net"],
    "harmonization": ["harmonize", "compose"],
}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
__version__ = "0.1.0"
