"""Bicubic x4 as a Keras layer, the baseline the residual super-resolution network adds to.

``ReflectionPadding2D`` (lesson 9) lives in the shared core, ``keras_nst.core.layers``; it is
imported here too, so that loading a super-resolution model registers every layer it names.
"""

import keras
import numpy as np

from keras_nst.core.layers import ReflectionPadding2D  # noqa: F401  (re-exported; registers it for loading)


def keys_weights(scale, a=-0.5):
    """(scale, 5) weights of the 5 input taps (offsets -2..2) for each output phase of a x``scale``
    bicubic upsampling: Keys' cubic with a = -0.5 and half-pixel centres, as Pillow and MATLAB use."""
    def cubic(d):
        d = abs(d)
        if d <= 1:
            return (a + 2) * d**3 - (a + 3) * d**2 + 1
        return a * d**3 - 5 * a * d**2 + 8 * a * d - 4 * a if d < 2 else 0.0

    return np.array([[cubic((r + 0.5) / scale - 0.5 - m) for m in range(-2, 3)] for r in range(scale)])


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
