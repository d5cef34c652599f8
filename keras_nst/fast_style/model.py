"""Lesson 9's image transform net (Johnson et al. 2016, supplementary material; the course's notebook).

One wide ``ReflectionPadding2D`` at the input, a 9x9 ``conv_block``, two stride-2 convs, residual
blocks of *valid* convs (``res_crop_block``: the padding is paid once, at the input, instead of zeros
in every block), two x2 ``up_block``s and a 9x9 conv to RGB through tanh. Instance normalisation
(Ulyanov et al.) is the default, batch normalisation the paper's. Upsampling by nearest resize +
conv avoids the checkerboard that transposed convs leave (Odena et al., "Deconvolution and
checkerboard artifacts").
"""

import keras
from keras import layers

from ..core.blocks import conv, conv_block, res_crop_block, up_block
from ..core.errors import NSTError
from ..core.layers import CropLike, PadToMultiple, ReflectionPadding2D
from .defaults import FILTERS, NORMS, RES_BLOCKS, UPSAMPLES

UPSAMPLING = {"resize": ("upsample", 3), "deconv3": ("deconv", 3), "deconv4": ("deconv", 4)}  # -> up_block's


def transform_net(*, norm=NORMS[0], upsample=UPSAMPLES[0], filters=FILTERS, n_res=RES_BLOCKS):
    """RGB 0-255 in, RGB 0-255 out, of the same size (any size: padded to a multiple of 4 and cropped)."""
    if norm not in NORMS:
        raise NSTError(f"unknown --norm '{norm}': use {' or '.join(NORMS)}")
    if upsample not in UPSAMPLING:
        raise NSTError(f"unknown --upsample '{upsample}': use {' or '.join(UPSAMPLES)}")
    mode, size = UPSAMPLING[upsample]
    inp = keras.Input((None, None, 3), name="photo")
    x = PadToMultiple(4)(inp)  # two stride-2 convs, two x2 upsamplings: sizes must divide by 4
    x = ReflectionPadding2D(8 * n_res)(x)  # each res_crop_block loses 2 px at 1/4 scale: 8 px at full scale
    x = layers.Rescaling(1 / 127.5, offset=-1)(x)
    x = conv_block(x, filters, 9, norm=norm)
    x = conv_block(x, 2 * filters, 3, stride=2, norm=norm)
    x = conv_block(x, 4 * filters, 3, stride=2, norm=norm)
    for _ in range(n_res):
        x = res_crop_block(x, 4 * filters, norm=norm)
    x = up_block(up_block(x, 2 * filters, size, mode, norm), filters, size, mode, norm)
    x = layers.Rescaling(127.5, offset=127.5)(conv(x, 3, 9, activation="tanh"))  # tanh's -1..1 to 0..255
    return keras.Model(inp, CropLike(name="stylized")([x, inp]), name=f"fast_style_{norm}_{upsample}")


def reach(model):
    """The width of the network's input mirror padding (40 px for the paper's 5 residual blocks)."""
    pads = [layer.padding[0] for layer in model.layers if isinstance(layer, ReflectionPadding2D)]
    return max(pads, default=0)
