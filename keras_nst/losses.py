"""Lesson 8's losses: content = MSE of activations, style = MSE of Gram matrices (lesson 9 weights).

The Gram matrix correlates every pair of channels over all positions, so it keeps *what* textures
occur and forgets *where*: that is why a style image of any size or aspect ratio can be used.
"""

from keras import ops


def gram_matrix(x):
    """(…, h, w, c) activations -> (…, c, c) channel correlations, normalised by h*w*c (the course's)."""
    h, w, c = x.shape[-3:]
    x = ops.cast(x, "float32")  # mixed precision: activations may be bfloat16, sums stay float32
    return ops.einsum("...ijc,...ijd->...cd", x, x) / (h * w * c)


def mse(a, b):
    return ops.mean(ops.square(ops.cast(a, "float32") - ops.cast(b, "float32")))


def content_loss(activation, target):
    return mse(activation, target)


def style_loss(activations, target_grams, weights):
    """Weighted sum over layers of MSE between the Gram matrices of ``activations`` and the targets."""
    return sum(w * mse(gram_matrix(a), g) for a, g, w in zip(activations, target_grams, weights))
