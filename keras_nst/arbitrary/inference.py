"""Any painting in one pass: the photo's ``block4_conv1`` features given the painting's statistics
(AdaIN), decoded by the trained decoder. ``painter`` bakes one painting's statistics into a Keras
model from photo to picture, so a painting is one more image network: the fast-style machinery
(sizes, tiles, colours, videos) runs it as it runs a shipped style."""

import keras
from keras import ops

from ..core.backend import in_precision, resolve_precision
from ..core.defaults import PRECISION
from ..core.errors import NSTError
from ..core.layers import CropLike, PadToMultiple
from ..core.vgg import as_list, feature_model, preproc, preproc_tensor, vgg16_avg
from .defaults import ALPHA, ENCODER_LAYER, STYLE_SIZE
from .model import moments, restyle
from .options import REGISTRY, check_alpha, read_painting


def load_decoder(name_or_path, *, precision=PRECISION):
    """A trained decoder (a shipped name or a .keras file) computing in ``precision``; a one-line
    error for a file that is not one."""
    path = REGISTRY.path(name_or_path)
    try:
        model = keras.saving.load_model(path)
        shape = tuple(model.compute_output_shape((1, 4, 4, 512)))
    except Exception as e:  # Keras raises assorted types for files that aren't its models
        raise NSTError(f"{path}: not an arbitrary-style decoder this tool can load ({type(e).__name__})") from None
    if shape != (1, 32, 32, 3):
        raise NSTError(f"{path}: not an arbitrary-style decoder (4x4 block4_conv1 features give {shape})")
    return model if resolve_precision(precision) == "float32" else in_precision(model, precision)


def painter(decoder, painting, *, alpha=ALPHA, size=STYLE_SIZE, weights="auto", precision=PRECISION):
    """A Keras model: RGB photo (any size, 0-255) -> the photo painted like ``painting`` (a path or an
    RGB array), ``alpha`` of the way from the photo's own features (0) to the painting's statistics
    (1), which are taken here, once, at ``size`` px."""
    alpha = check_alpha(alpha)
    enc = feature_model(vgg16_avg(weights, precision), [ENCODER_LAYER])
    features = lambda images: ops.cast(as_list(enc(images))[0], "float32")
    mean, std = (ops.convert_to_tensor(ops.convert_to_numpy(s))
                 for s in moments(features(preproc(read_painting(painting, size)[None]))))
    photo = keras.Input((None, None, 3), name="photo")
    x = PadToMultiple(8)(photo)  # three x2 upsamplings in the decoder
    out = decoder(restyle(features(preproc_tensor(x)), mean, std, alpha))
    return keras.Model(photo, CropLike(name="painted")([out, photo]), name="adain_painter")
