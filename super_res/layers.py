"""Lesson 9's ``ReflectionPadding2D``: pad by mirroring, so convolutions see no black frame.

Zero padding darkens borders of generated images; reflection keeps them natural, and tiles of a
large image then join without seams. A real Keras layer: output shape, config, registered for
``.keras`` save/load, and ``keras.ops.pad(mode="reflect")`` runs on TensorFlow, JAX and torch.
"""

import keras


@keras.saving.register_keras_serializable(package="super_res")
class ReflectionPadding2D(keras.layers.Layer):
    """Mirror-pad height and width (NHWC) by ``padding``: an int or (rows, cols)."""

    def __init__(self, padding=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.padding = (padding, padding) if isinstance(padding, int) else tuple(int(p) for p in padding)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        (ph, pw), grow = self.padding, lambda d, p: None if d is None else d + 2 * p
        return n, grow(h, ph), grow(w, pw), c

    def call(self, x):
        ph, pw = self.padding
        return keras.ops.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]], mode="reflect")

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}
