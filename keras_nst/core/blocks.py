"""The course's refactored blocks (lesson 9: "refactor the model into blocks"), shared by the
feed-forward networks: super-resolution's upsampler and fast style transfer's image transform net.

Every conv pads by reflection (``ReflectionPadding2D``) unless it is one of the valid convs of a
``res_crop_block``. ``norm`` picks the normalisation: ``"batch"`` (the course's, the papers'),
``"instance"`` (Ulyanov et al.: per image and channel, what the fast-style peers use; Keras'
``GroupNormalization(groups=-1)``) or None (EDSR: none in super-resolution bodies).
"""

from keras import layers

from .layers import ReflectionPadding2D


def conv(x, filters, size, stride=1, **kwargs):
    if size > 1:
        x = ReflectionPadding2D(size // 2)(x)
    return layers.Conv2D(filters, size, strides=stride, padding="valid", **kwargs)(x)


def normalize(x, norm):
    if norm in (True, "batch"):
        return layers.BatchNormalization()(x)
    if norm == "instance":
        return layers.GroupNormalization(groups=-1)(x)
    if norm not in (None, False):
        raise ValueError(f"unknown normalisation '{norm}': use batch, instance or None")
    return x


def conv_block(x, filters, size, stride=1, act=True, norm="batch"):
    x = normalize(conv(x, filters, size, stride), norm)
    return layers.Activation("relu")(x) if act else x


def res_block(ip, filters=64, norm="batch"):
    x = conv_block(ip, filters, 3, norm=norm)
    x = conv_block(x, filters, 3, act=False, norm=norm)  # no activation before the sum: the lesson's finding
    return layers.Add()([x, ip])


def res_crop_block(ip, filters=128, norm="instance"):
    """Johnson et al.'s residual block: two *valid* 3x3 convs, so the shortcut is centre-cropped by
    2 px; the border the network loses is put back once, by one wide reflection pad at its input."""
    x = normalize(layers.Conv2D(filters, 3, padding="valid")(ip), norm)
    x = normalize(layers.Conv2D(filters, 3, padding="valid")(layers.Activation("relu")(x)), norm)
    return layers.Add()([x, layers.Cropping2D(2)(ip)])


def up_block(x, filters, size, mode="upsample", norm="batch", act=True):
    """x2: nearest UpSampling2D + conv (no checkerboard), or a transposed conv of stride 2 (``deconv``)."""
    if mode == "deconv":
        x = layers.Conv2DTranspose(filters, size, strides=2, padding="same")(x)
    else:
        x = conv(layers.UpSampling2D()(x), filters, size)
    x = normalize(x, norm)
    return layers.Activation("relu")(x) if act else x
