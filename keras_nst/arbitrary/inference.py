"""Any painting in one pass, coarse to fine (Li et al. 2017): at each level, deepest first, the
picture so far is encoded, its features take the painting's statistics (``transforms``) and that
level's decoder gives back a picture. ``painter`` takes the painting's statistics once and bakes
them into a Keras model from photo to picture, so a folder or a video reuses them and a painting is
one more image network for the fast-style machinery (sizes, tiles, colours, videos)."""

import keras
import numpy as np
from keras import ops

from ..core.backend import in_precision, resolve_precision
from ..core.defaults import PRECISION
from ..core.errors import NSTError
from ..core.layers import CropLike, PadToMultiple
from ..core.vgg import BLOCKS, as_list, preproc, preproc_tensor
from .defaults import ALPHA, LEVELS, MODELS, STYLE_SIZE, TRANSFORM
from .model import encoder, level_of
from .options import REGISTRY, alphas, check_transform, read_painting
from .transforms import StyleTransform, statistics


def load_decoder(name_or_path, *, precision=PRECISION):
    """A trained decoder (a shipped name or a .keras file) computing in ``precision``; its ``level``
    names the encoder layer it inverts. A one-line error for a file that is not one."""
    path = REGISTRY.path(name_or_path)
    try:
        model = keras.saving.load_model(path)
        channels = model.input.shape[-1]
        level = [c for c, _ in BLOCKS].index(channels) + 1
        shape = tuple(model.compute_output_shape((1, 4, 4, channels)))
    except Exception as e:  # Keras raises assorted types for files that aren't its models
        raise NSTError(f"{path}: not an arbitrary-style decoder this tool can load ({type(e).__name__})") from None
    side = 4 * 2 ** (level - 1)
    if level > len(LEVELS) or shape != (1, side, side, 3):
        raise NSTError(f"{path}: not an arbitrary-style decoder (4x4 features of {channels} channels give {shape})")
    model = model if resolve_precision(precision) == "float32" else in_precision(model, precision)
    model.level = LEVELS[level - 1]
    return model


def load_decoders(names=MODELS, *, precision=PRECISION):
    """The decoders (shipped names or files), deepest level first; one a level."""
    decoders = sorted((load_decoder(n, precision=precision) for n in names), key=lambda d: -level_of(d.level))
    levels = [d.level for d in decoders]
    if len(set(levels)) != len(levels):
        raise NSTError(f"--model: one decoder a level, got {', '.join(levels)}")
    return decoders


def painter(decoders, painting, *, alpha=ALPHA, method=TRANSFORM, size=STYLE_SIZE, weights="auto",
            precision=PRECISION):
    """A Keras model: RGB photo (any size, 0-255) -> the photo painted like ``painting`` (a path or an
    RGB array). At each of the ``decoders``' levels, deepest first, the picture so far is encoded and
    moved ``alpha`` of the way (one number, or one a level) from its own features (0) to the
    painting's statistics (1) by ``method``; those statistics are taken here, once, at ``size`` px."""
    decoders = sorted(decoders, key=lambda d: -level_of(d.level))
    check_transform(method)
    steps = alphas(alpha, len(decoders))
    encoders = [encoder([d.level], weights, precision) for d in decoders]
    art = preproc(read_painting(painting, size)[None])
    photo = keras.Input((None, None, 3), name="photo")
    x = PadToMultiple(2 ** (level_of(decoders[0].level) - 1))(photo)  # the deepest level's poolings
    for enc, dec, a in zip(encoders, decoders, steps):
        mean, cov = (ops.convert_to_numpy(s)[0] for s in statistics(as_list(enc(art))[0]))
        features = ops.cast(as_list(enc(preproc_tensor(x)))[0], "float32")
        x = ops.clip(dec(StyleTransform(mean, cov, method, a)(features)), 0.0, 255.0)
    return keras.Model(photo, CropLike(name="painted")([x, photo]), name="painter")


def one_pass(photos, painting, *, decoders=None, alpha=ALPHA, method=TRANSFORM, weights="auto", precision=PRECISION):
    """Each photo (RGB 0-255) painted like ``painting`` in one pass, as uint8 arrays: the start
    pictures of ``transfer --init arbitrary``."""
    from ..core.backend import predict

    net = painter(load_decoders(decoders or REGISTRY.shipped(), precision=precision), painting, alpha=alpha,
                  method=method, weights=weights, precision=precision)
    return [ops.convert_to_numpy(predict(net, np.asarray(p, "float32")[None])[0]).round().astype("uint8")
            for p in photos]
