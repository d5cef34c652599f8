"""Any painting in one pass with decoders that only reconstruct (Li et al. 2017, "Universal Style
Transfer via Feature Transforms"): lesson 8's VGG16_Avg encodes a picture up to one level, and that
level's decoder gives back the picture. No painting is learnt and the loss has no style/content
fight: the decoder's target is the identity. The style is put in between, in closed form
(``transforms``): the photo's features take the painting's statistics, level by level.

Each decoder mirrors the encoder with the course's blocks (``conv_block`` with reflection padding,
``up_block`` by nearest upsampling: no checkerboard) and no normalisation layers (they would undo
the statistics the transform sets).
"""

import keras
from keras import layers, ops

from ..core.blocks import conv, conv_block, up_block
from ..core.vgg import BLOCKS, feature_model, preproc_tensor, vgg16_avg
from .defaults import FEATURE_RMS, LEVELS, WIDTHS


def level_of(layer):
    return LEVELS.index(layer) + 1


def decoder(layer, widths=WIDTHS):
    """``layer``'s features (any size, that block's channels) -> RGB 0-255 at the picture's size:
    per block down the mirror a conv to the block below's width and a x2 ``up_block``."""
    level = level_of(layer)
    inp = keras.Input((None, None, BLOCKS[level - 1][0]), name="features")
    x = layers.Rescaling(1 / FEATURE_RMS[level - 1])(inp)
    for block in range(level - 1, 0, -1):
        x = conv_block(x, widths[block - 1], 3, norm=None)
        x = up_block(x, widths[block - 1], 3, norm=None)
    if level == 1:
        x = conv_block(x, widths[0], 3, norm=None)
    x = conv(x, 3, 3, dtype="float32")  # linear: clipped to 0-255 only at use
    return keras.Model(inp, layers.Rescaling(127.5, offset=127.5, dtype="float32", name="image")(x),
                       name=f"decoder_{layer}")


def encoder(layers_, weights="auto", precision="float32"):
    """VGG16_Avg's ``layers_`` for RGB 0-255 input."""
    return feature_model(vgg16_avg(weights, precision), list(layers_))


def encode(enc, images):
    out = enc(preproc_tensor(images))
    return [ops.cast(f, "float32") for f in (out if isinstance(out, (list, tuple)) else [out])]
