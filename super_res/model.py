"""Lesson 9's upsampling network, as the course's refactored blocks.

9x9 ``conv_block`` -> four ``res_block``s -> two ``up_block``s (x2 each) -> 9x9 conv to RGB, tanh,
scaled to 0-255. Fully convolutional: trained on 72 px crops, it upscales any size by 4. Convs pad
by reflection (``ReflectionPadding2D``) rather than zeros, so borders and tile seams stay clean.
"""

import keras
from keras import layers

from keras_nst.features import PRECISIONS

from .layers import ReflectionPadding2D


def conv(x, filters, size, stride=1, **kwargs):
    if size > 1:
        x = ReflectionPadding2D(size // 2)(x)
    return layers.Conv2D(filters, size, strides=stride, padding="valid", **kwargs)(x)


def conv_block(x, filters, size, stride=1, act=True):
    x = layers.BatchNormalization()(conv(x, filters, size, stride))
    return layers.Activation("relu")(x) if act else x


def res_block(ip, filters=64):
    x = conv_block(ip, filters, 3)
    x = conv_block(x, filters, 3, act=False)  # no activation before the sum: the lesson's finding
    return layers.Add()([x, ip])


def up_block(x, filters, size, mode="upsample"):
    """x2: UpSampling2D + conv (no checkerboard), or the transposed conv stride 2 (``deconv``)."""
    if mode == "deconv":
        x = layers.Conv2DTranspose(filters, size, strides=2, padding="same")(x)
    elif mode == "upsample":
        x = conv(layers.UpSampling2D()(x), filters, size)
    else:
        raise ValueError(f"unknown upsampling '{mode}': use upsample or deconv")
    return layers.Activation("relu")(layers.BatchNormalization()(x))


def upsampler(mode="upsample", filters=64, n_res=4, precision="float32"):
    """The x4 super-resolution network: RGB 0-255 in, RGB 0-255 out.

    ``precision="mixed"`` builds the body in bfloat16 (as ``keras_nst``'s VGG); the last conv and the
    output stay float32, since bfloat16 steps by a whole grey level above 128.
    """
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISIONS[precision])  # the policy layers take when built
    try:
        inp = keras.Input((None, None, 3), name="lr")
        x = layers.Rescaling(1 / 127.5, offset=-1)(inp)
        x = conv_block(x, filters, 9)
        for _ in range(n_res):
            x = res_block(x, filters)
        x = up_block(up_block(x, filters, 3, mode), filters, 3, mode)
    finally:
        keras.config.set_dtype_policy(previous)
    x = conv(x, 3, 9, activation="tanh")
    out = layers.Rescaling(127.5, offset=127.5, name="sr")(x)  # tanh's -1..1 to 0..255
    return keras.Model(inp, out, name=f"sr_x4_{mode}")


def as_float32(model, mode):
    """A float32 copy of a (mixed-precision) trained network: what ships and what upscales on a CPU."""
    copy = upsampler(mode)
    copy.set_weights(model.get_weights())
    return copy
