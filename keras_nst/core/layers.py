"""Lesson 9's ``ReflectionPadding2D`` and the two layers that let fast style's network take any size.

Zero padding darkens borders of generated images; reflection keeps them natural, and tiles of a
large image then join without seams. Real Keras layers: output shape, config, registered for
``.keras`` save/load, and ``keras.ops.pad(mode="reflect")`` runs on TensorFlow, JAX and torch.
"""

import keras


# registered under "super_res", where it was first defined: the shipped SR models name it so
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


@keras.saving.register_keras_serializable(package="keras_nst")
class PadToMultiple(keras.layers.Layer):
    """Mirror-pad the bottom and right edges up to a multiple of ``multiple`` px: a network with
    two stride-2 convs and two x2 upsamplings returns exactly its input's size only for multiples of 4."""

    def __init__(self, multiple=4, **kwargs):
        super().__init__(**kwargs)
        self.multiple = int(multiple)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        up = lambda d: None if d is None else -(-d // self.multiple) * self.multiple
        return n, up(h), up(w), c

    def call(self, x):
        # by concatenating mirrored rows and columns: keras.ops.pad fails on torch when a side is 0
        ops = keras.ops
        for axis in (1, 2):
            n = x.shape[axis] if x.shape[axis] is not None else ops.shape(x)[axis]
            extra = (-n) % self.multiple
            edge = x[:, n - 1 - extra:n - 1] if axis == 1 else x[:, :, n - 1 - extra:n - 1]
            x = ops.concatenate([x, ops.flip(edge, axis=axis)], axis=axis)
        return x

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package="keras_nst")
class CropLike(keras.layers.Layer):
    """``[x, reference]`` -> ``x`` cropped to the reference's height and width (top-left kept): undoes
    ``PadToMultiple``."""

    def compute_output_shape(self, input_shapes):
        (n, _, _, c), (_, h, w, _) = input_shapes
        return n, h, w, c

    def call(self, inputs):
        x, ref = inputs
        shape = keras.ops.shape(ref)
        return x[:, :shape[1], :shape[2]]
