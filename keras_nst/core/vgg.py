"""Lesson 8's feature extractor: VGG16 with average pooling, and caffe-style pre/de-processing.

Gatys et al. (and the course) swap VGG16's max-pooling for average pooling: gradients then reach
every pixel of a window, which gives smoother reconstructions. Without the dense top the network
takes any input size. ``feature_model`` exposes chosen layers as a functional sub-model.
"""

import contextlib

import numpy as np

from .defaults import PRECISION, PRECISIONS
from .errors import NSTError
from .weights import load_weights

BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))  # (filters, convs) per VGG16 block
CONV_LAYERS = tuple(f"block{b}_conv{c}" for b, (_, n) in enumerate(BLOCKS, 1) for c in range(1, n + 1))
RN_MEAN = np.array([123.68, 116.779, 103.939], dtype="float32")  # ImageNet RGB mean, as in the course
# Its activations (13 convs, 5 pools) are ~270 floats a pixel; with the backward pass, the gradient
# tape and the optimiser's copies a style-transfer run peaks near 4 KB a pixel (measured: 1.0 GB at
# 256 x 192 px, ~0.5 GB of it the runtime and the weights).
BYTES_PER_PIXEL = 4000
LAYER_NAMES = CONV_LAYERS + tuple(f"block{b}_pool" for b in range(1, len(BLOCKS) + 1))


def preproc(x):
    """RGB 0-255 -> what VGG16 was trained on: mean subtracted, channels BGR."""
    return (np.asarray(x, dtype="float32") - RN_MEAN)[..., ::-1]


def preproc_tensor(x):
    """``preproc`` inside a model or loss (any backend): the same caffe input, as ``keras.ops``."""
    from keras import ops

    # the mean as a tensor: torch cannot subtract a NumPy array from a tensor that requires grad
    return ops.flip(ops.cast(x, "float32") - ops.convert_to_tensor(RN_MEAN), axis=-1)


def deproc(x, shape=None):
    """Inverse of ``preproc``, clipped to 0-255; ``shape`` reshapes a flat L-BFGS vector first."""
    x = np.asarray(x, dtype="float32")
    if shape is not None:
        x = x.reshape(shape)
    return np.clip(x[..., ::-1] + RN_MEAN, 0, 255)


def pixel_bounds():
    """Per-channel (low, high) of a valid image in ``preproc`` space, BGR order."""
    return -RN_MEAN[::-1], 255 - RN_MEAN[::-1]


def check_precision(precision):
    """``precision`` as a model computes it (``auto`` resolved for this device and backend)."""
    from .backend import resolve_precision  # Keras loads here: the command lines check choices without it

    return resolve_precision(precision)


@contextlib.contextmanager
def precision_scope(precision):
    """Layers built inside take ``precision``'s dtype policy (Keras reads the global policy when a
    layer is made): the one way this project builds bfloat16 networks, VGG16 and generators alike."""
    import keras

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(PRECISIONS[check_precision(precision)])
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def VGG16_Avg(input_shape=(None, None, 3), weights="auto", precision=PRECISION):
    """VGG16 without its top, average-pooled; ``weights``: a source for ``load_weights`` or None.

    ``precision="mixed"`` computes in bfloat16 (float32 weights): about twice the speed on a recent
    GPU or a CPU with bfloat16 instructions, and bfloat16's float32-sized range needs no loss scaling;
    losses cast back to float32. ``auto``: mixed where that pays (``backend.resolve_precision``).
    """
    import keras

    with precision_scope(precision):
        inp = keras.Input(shape=input_shape, name="image")
        x = inp
        for b, (filters, convs) in enumerate(BLOCKS, 1):
            for c in range(1, convs + 1):
                x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"block{b}_conv{c}")(x)
            x = keras.layers.AveragePooling2D(2, name=f"block{b}_pool")(x)
    model = keras.Model(inp, x, name="vgg16_avg")
    model.trainable = False
    model.weights_source = load_weights(model, weights) if weights is not None else "random (weights=None)"
    return model


_VGG = {}


def vgg16_avg(weights="auto", precision=PRECISION):
    """One VGG16_Avg per weights source, precision and process: building and checking it costs a second."""
    key = (str(weights), check_precision(precision))
    if key not in _VGG:
        _VGG[key] = VGG16_Avg(weights=weights, precision=precision)
    return _VGG[key]


def check_layers(names):
    unknown = [n for n in names if n not in LAYER_NAMES]
    if unknown:
        raise NSTError(f"unknown VGG16 layer(s) {unknown}; choose from {', '.join(LAYER_NAMES)}")
    return list(names)


def layer_spec(layers, weights, default_layers, default_weights, what="style"):
    """Checked layers and float weights; the defaults' weights for the default layers, else equal
    weights summing to 1 when none are given. ``what`` names them in errors."""
    layers = check_layers([layers] if isinstance(layers, str) else list(layers))
    if weights is None:
        same = tuple(layers) == tuple(default_layers)
        weights = default_weights if same else [1.0 / max(1, len(layers))] * len(layers)
    weights = [float(w) for w in weights]
    if not layers or len(weights) != len(layers):
        raise NSTError(f"{len(layers)} {what} layers but {len(weights)} {what} weights: give one weight per layer")
    if not all(0 <= w < float("inf") for w in weights):  # NaN fails the comparison too
        raise NSTError(f"{what} layer weights must be finite numbers >= 0, got {weights}")
    return layers, weights


def as_list(outputs):
    """A one-layer sub-model returns a bare tensor, not a list of one."""
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def feature_model(vgg, layer_names):
    """A functional sub-model of ``vgg`` returning the named layers' activations, in order."""
    import keras

    return keras.Model(vgg.input, [vgg.get_layer(n).output for n in check_layers(layer_names)])
