"""Bicubic x4 as a Keras layer, the baseline the residual super-resolution network adds to, and
iterative back-projection (Irani & Peleg 1991), which makes a result consistent with its input.

``ReflectionPadding2D`` (lesson 9) lives in the shared core, ``keras_nst.core.layers``; it is
imported here too, so that loading a super-resolution model registers every layer it names.
"""

import keras
import numpy as np

from keras_nst.core.layers import ReflectionPadding2D  # noqa: F401  (re-exported; registers it for loading)


def cubic(d, a=-0.5):
    """Keys' cubic convolution kernel, with a = -0.5 as Pillow and MATLAB use."""
    d = abs(d)
    if d <= 1:
        return (a + 2) * d**3 - (a + 3) * d**2 + 1
    return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a if d < 2 else 0.0


def keys_weights(scale):
    """(scale, 5) weights of the 5 input taps (offsets -2..2) for each output phase of a x``scale``
    bicubic upsampling with half-pixel centres."""
    return np.array([[cubic((r + 0.5) / scale - 0.5 - m) for m in range(-2, 3)] for r in range(scale)])


def reduce_weights(scale):
    """The 4 x ``scale`` taps (input offsets -1.5 ``scale`` .. 2.5 ``scale`` - 1 from each output pixel's
    first input pixel) of a 1/``scale`` bicubic reduction with the kernel stretched by ``scale``, as
    Pillow's antialiased ``resize`` (the degradation the training data and ``evaluate`` use), and
    how many of them lie before that first pixel."""
    offsets = np.arange(-3 * scale // 2, 5 * scale // 2)
    return np.array([cubic((d + 0.5 - scale / 2) / scale) for d in offsets]), int(-offsets[0])


@keras.saving.register_keras_serializable(package="super_res")
class BicubicUpsampling2D(keras.layers.Layer):
    """Bicubic x``scale`` upsampling (NHWC), the same arithmetic on every backend.

    ``keras.ops.image.resize`` is bicubic with a = -0.5 on TensorFlow and JAX but -0.75 on torch, so
    a network that learns a residual over it would meet another baseline on torch. Here the filter is
    fixed (Pillow's float arithmetic, borders included): each output phase is a weighted sum of 5
    shifted copies of the input, one axis at a time, in float32 whatever the dtype policy.
    """

    def __init__(self, scale=4, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.scale = int(scale)
        self.taps = keys_weights(self.scale).tolist()

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        return n, None if h is None else h * self.scale, None if w is None else w * self.scale, c

    def _phases(self, x, axis):
        ops = keras.ops
        zeros = ops.zeros_like(x[:, :2] if axis == 1 else x[:, :, :2])
        xp = ops.concatenate([zeros, x, zeros], axis=axis)

        def shifted(j):  # xp[j : j + n] along the axis
            end = None if j == 4 else j - 4
            return xp[:, j:end] if axis == 1 else xp[:, :, j:end]

        return ops.stack([sum(w * shifted(j) for j, w in enumerate(row) if w) for row in self.taps], axis=axis + 1)

    def _axis(self, x, axis):
        # taps beyond the border are dropped and the rest renormalised (Pillow's rule), as a
        # normalised convolution: zero padding, divided by the same sum over an image of ones
        ones = keras.ops.ones_like(x[:1, :, :, :1])
        y = self._phases(x, axis) / self._phases(ones, axis)  # (n, h, scale, w, c) or (n, h, w, scale, c)
        shape = keras.ops.shape(x)
        new = (shape[0], shape[1] * self.scale, shape[2], shape[3]) if axis == 1 else \
            (shape[0], shape[1], shape[2] * self.scale, shape[3])
        return keras.ops.reshape(y, new)

    def call(self, x):
        x = keras.ops.cast(x, "float32")
        return self._axis(self._axis(x, 1), 2)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


@keras.saving.register_keras_serializable(package="super_res")
class BackProjection(keras.layers.Layer):
    """Iterative back-projection (Irani & Peleg 1991; one of Timofte et al.'s "Seven ways to improve
    example-based single image super resolution", CVPR 2016): ``iterations`` times, the result
    brought down by the degradation the network learned to undo (Pillow's bicubic 1/``scale``), and
    what it misses of the input brought back up bicubically and added. The network's result keeps its
    detail but no longer drifts from the input in its low frequencies: a photo's mean by up to 1.7 grey
    levels, flat black to 2 and flat white to 254 (the ``perceptual`` network's), fixed exactly.

    Inputs ``[sr, lr]``; float32, the same arithmetic on every backend (normalised convolutions with
    Pillow's border rule, as ``BicubicUpsampling2D``).
    """

    def __init__(self, iterations=2, scale=4, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.iterations, self.scale = int(iterations), int(scale)
        self.up = BicubicUpsampling2D(self.scale, dtype="float32")
        taps, self.lead = reduce_weights(self.scale)
        self.taps = taps.tolist()

    def build(self, input_shape):  # nothing to learn; built here, Keras would trace call() with any sizes
        self.up.build(input_shape[1])

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def reduce(self, x):
        """(n, h, w, 3) -> (n, h / scale, w / scale, 3), Pillow's antialiased bicubic in float."""
        ops, n = keras.ops, len(self.taps)
        pad = [(0, 0), (self.lead, n - self.lead - self.scale), (self.lead, n - self.lead - self.scale), (0, 0)]
        # the separable filter as one 2D kernel: TensorFlow's depthwise conv takes only equal strides
        taps = np.array(self.taps, "float32")
        kernel = ops.convert_to_tensor(np.repeat(np.outer(taps, taps)[:, :, None, None], 3, axis=2))

        def conv(v):  # zero padding: taps beyond the border count nothing
            return ops.depthwise_conv(ops.pad(v, pad), kernel, strides=self.scale, padding="valid")

        return conv(x) / conv(ops.ones_like(x[:1]))  # ... and the rest renormalised (Pillow's rule)

    def call(self, inputs):
        sr, lr = (keras.ops.cast(v, "float32") for v in inputs)
        for _ in range(self.iterations):
            sr = sr + self.up(lr - self.reduce(sr))
        return sr

    def get_config(self):
        return {**super().get_config(), "iterations": self.iterations, "scale": self.scale}
