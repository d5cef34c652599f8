"""Lesson 9's upsampling network, as the course's refactored blocks, and its residual variant.

``arch="course"``: the lesson's network exactly. 9x9 ``conv_block`` -> four ``res_block``s -> two
``up_block``s (x2 each) -> 9x9 conv to RGB, tanh, scaled to 0-255; BatchNorm after every conv.

``arch="residual"`` (the default): the same blocks without BatchNorm (EDSR's finding: it costs colour
fidelity between training and inference) and a global skip, as VDSR/EDSR: the output is the bicubic
x4 of the input plus what the body adds, in grey levels. The last conv (3x3, as EDSR) starts at zero,
so an untrained network *is* bicubic and training can only start from there; the two ``up_block``s
have no ReLU (as EDSR's upsampler), so nothing between the body and that head can switch off.

``back_projected`` ends a trained network in iterative back-projection onto its input (Irani & Peleg
1991; ``layers.BackProjection``): what the saved and shipped models do last.

``copy_weights`` grows a trained network into one with more res blocks, the new ones starting as the
identity, so a longer run can go on from a shipped model with more capacity.

Fully convolutional: trained on small crops, it upscales any size by 4. Convs pad by reflection
(``ReflectionPadding2D``), so borders and tile seams stay clean.
"""

import keras
from keras import layers

from keras_nst.core.blocks import conv, conv_block, res_block, up_block
from keras_nst.core.vgg import precision_scope

from .defaults import ARCHS, N_RES, SCALE, UPSAMPLES
from .layers import BackProjection, BicubicUpsampling2D

HEAD = 3  # the residual head's kernel (EDSR's 3x3): the course's 9x9 at 4x resolution cost 20 % of a step


def upsampler(*, arch="residual", upsample="upsample", filters=64, n_res=N_RES, precision="float32"):
    """The x4 super-resolution network: RGB 0-255 in, RGB 0-255 out.

    ``precision="mixed"`` builds the body in bfloat16 (as the VGG16); the last conv and the output
    stay float32, since bfloat16 steps by a whole grey level above 128.
    """
    if arch not in ARCHS:
        raise ValueError(f"unknown arch '{arch}': use {' or '.join(ARCHS)}")
    if upsample not in UPSAMPLES:
        raise ValueError(f"unknown upsampling '{upsample}': use {' or '.join(UPSAMPLES)}")
    norm = "batch" if arch == "course" else None
    inp = keras.Input((None, None, 3), name="lr")
    with precision_scope(precision):
        x = layers.Rescaling(1 / 127.5, offset=-1)(inp)
        x = conv_block(x, filters, 9, norm=norm)
        for _ in range(n_res):
            x = res_block(x, filters, norm=norm)
        # residual: linear upsampling path into a zero head (EDSR's upsampler has no activation); with
        # ReLUs there, Adam's first steps switched them all off and the output stayed bicubic
        x = up_block(up_block(x, filters, 3, upsample, norm, act=bool(norm)), filters, 3, upsample, norm,
                     act=bool(norm))
    if arch == "course":
        x = conv(x, 3, 9, activation="tanh")
        out = layers.Rescaling(127.5, offset=127.5, name="sr")(x)  # tanh's -1..1 to 0..255
    else:
        # the residual in grey levels: a head scaled by 127.5 let Adam's first steps swing the output
        # by hundreds of levels and killed the ReLUs feeding it
        x = conv(x, 3, HEAD, kernel_initializer="zeros", name="residual")
        out = layers.Add(name="sr")([BicubicUpsampling2D(SCALE, name="bicubic")(inp), x])
    return keras.Model(inp, out, name=f"sr_x4_{arch}_{upsample}")


def _split(model):
    """The layers with weights before and after the body's last res block (its ``Add``), and how
    many res blocks there are."""
    adds = [i for i, layer in enumerate(model.layers) if isinstance(layer, layers.Add) and layer.name != "sr"]
    end = adds[-1] if adds else -1
    weighted = [(i, layer) for i, layer in enumerate(model.layers) if layer.weights]
    return [layer for i, layer in weighted if i < end], [layer for i, layer in weighted if i > end], len(adds)


def res_blocks(model):
    """How many res blocks ``model``'s body has (what ``--init-from`` keeps unless ``--n-res`` grows it)."""
    return _split(model)[2]


def copy_weights(model, source):
    """``source``'s weights into ``model``, which may have more res blocks (grown, as EDSR's deeper
    bodies): the new blocks follow the old ones and start as the identity (their last layer zero), so
    the grown network computes exactly what ``source`` did and training goes on from there."""
    head, tail, old = _split(source)
    body, after, n_res = _split(model)
    grown = body[len(head):]
    if len(after) != len(tail) or len(body) < len(head) or (grown and not old) or n_res < old:
        raise ValueError(f"{source.name} ({old} res blocks) does not fit {model.name} ({n_res})")
    for src, dst in zip(head + tail, body[:len(head)] + after):
        dst.set_weights(src.get_weights())
    per = len(grown) // max(1, n_res - old)  # layers with weights in one new res block (0: none new)
    for last in grown[per - 1::per] if per else ():  # zero scale and shift: the block adds nothing
        last.set_weights([w * 0 if v.name in ("kernel", "bias", "gamma", "beta") else w
                          for v, w in zip(last.weights, last.get_weights())])


def back_projected(net, iterations):
    """``net`` with its result back-projected onto its input ``iterations`` times (``BackProjection``),
    as one model: what ships, so whoever loads the file gets the method. A network that has it already
    gets the new count; 0: the network alone."""
    bp = [layer for layer in net.layers if isinstance(layer, BackProjection)]
    if bp:
        net = keras.Model(net.input, bp[0].input[0], name=net.name)
    if not iterations:
        return net
    return keras.Model(net.input, BackProjection(iterations, SCALE, name="back_projection")([net.output, net.input]),
                       name=net.name)
