"""Lesson 9's ``ReflectionPadding2D``, the two layers that let fast style's network take any size, and
``RepeatUpsampling2D``, the nearest upsampling an exported network is traced with.

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
            extra = (self.multiple - n % self.multiple) % self.multiple  # tf2onnx gets (-n) % m's sign wrong
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


@keras.saving.register_keras_serializable(package="keras_nst")
class RepeatUpsampling2D(keras.layers.Layer):
    """Nearest x``size`` upsampling (NHWC) that keeps its channel count in the traced graph, for export.

    Keras' ``UpSampling2D`` repeats rows and columns with ``ops.repeat``, whose TensorFlow graph at a
    free input size forgets how many channels it has; the LiteRT converter then turns the next
    convolution into a TensorFlow op that LiteRT's own interpreter cannot run. The same values come
    from copies concatenated and reshaped to a shape naming the channels."""

    def __init__(self, size=(2, 2), **kwargs):
        super().__init__(**kwargs)
        self.size = (size, size) if isinstance(size, int) else tuple(int(s) for s in size)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        (a, b), grow = self.size, lambda d, f: None if d is None else d * f
        return n, grow(h, a), grow(w, b), c

    def call(self, x):
        ops, (a, b), c = keras.ops, self.size, x.shape[-1]
        n, h, w = (ops.shape(x)[i] for i in range(3))
        x = ops.reshape(ops.concatenate([x] * b, axis=-1), (n, h, w * b, c))  # each pixel b times along a row
        return ops.reshape(ops.concatenate([x] * a, axis=2), (n, h * a, w * b, c))  # each row a times

    def get_config(self):
        return {**super().get_config(), "size": self.size}
