"""Arbitrary style transfer (Huang & Belongie 2017, "Arbitrary Style Transfer in Real-time with
Adaptive Instance Normalization"): lesson 8's VGG16_Avg as a fixed encoder up to ``block4_conv1``,
AdaIN, and a trained decoder back to pixels.

Lesson 8 saw that a painting's style lives in its features' statistics (the Gram matrix); AdaIN
keeps the simplest of them, each channel's mean and standard deviation: the photo's features are
normalised per channel and given the painting's mean and spread. The decoder is the encoder's
mirror, built from the course's blocks (``conv_block`` with reflection padding, ``up_block`` by
nearest upsampling: no checkerboard), without normalisation layers (they would undo AdaIN).
"""

import keras
from keras import layers, ops

from ..core.blocks import conv, conv_block, up_block
from ..core.vgg import feature_model, preproc_tensor, vgg16_avg
from .defaults import ENCODER_LAYER, FILTERS, STYLE_LAYERS

EPS = 1e-5


def moments(features):
    """Per image and channel: the mean and standard deviation over positions, (B, 1, 1, C) each, float32."""
    f = ops.cast(features, "float32")
    mean, var = ops.moments(f, axes=(1, 2), keepdims=True)
    return mean, ops.sqrt(var + EPS)


def restyle(content, mean, std, alpha=1.0):
    """The photo's features ``content`` normalised per channel and given ``mean`` and ``std`` (a
    painting's); ``alpha`` blends back towards the photo's own features (0: the photo, 1: the
    painting's statistics)."""
    cm, cs = moments(content)
    content = ops.cast(content, "float32")
    return alpha * ((content - cm) / cs * std + mean) + (1 - alpha) * content


def adain(content, style, alpha=1.0):
    """AdaIN: the photo's features ``content`` with the painting's features' (``style``) statistics."""
    return restyle(content, *moments(style), alpha)


def decoder(filters=FILTERS):
    """``block4_conv1`` features (any size, 512 channels) -> RGB 0-255 at 8x their size."""
    f4, f2, f1 = filters
    inp = keras.Input((None, None, 512), name="features")
    x = conv_block(inp, f4, 3, norm=None)
    x = up_block(x, f4, 3, norm=None)
    for _ in range(2):
        x = conv_block(x, f4, 3, norm=None)
    x = conv_block(x, f2, 3, norm=None)
    x = up_block(x, f2, 3, norm=None)
    x = conv_block(x, f1, 3, norm=None)
    x = up_block(x, f1, 3, norm=None)
    x = conv(x, 3, 3, dtype="float32")  # linear: clipped to 0-255 only at use
    return keras.Model(inp, layers.Rescaling(127.5, offset=127.5, dtype="float32", name="image")(x),
                       name="adain_decoder")


def encoder(weights="auto", precision="float32"):
    """VGG16_Avg's ``STYLE_LAYERS`` (the last is ``ENCODER_LAYER``) for RGB 0-255 input."""
    assert STYLE_LAYERS[-1] == ENCODER_LAYER
    return feature_model(vgg16_avg(weights, precision), STYLE_LAYERS)


def encode(enc, images):
    return [ops.cast(f, "float32") for f in enc(preproc_tensor(images))]
