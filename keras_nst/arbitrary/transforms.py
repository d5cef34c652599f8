"""The closed-form style transforms between encoder and decoder, as ``keras.ops`` (any backend, in
float32, eigenvalues floored): each gives the photo's features (B, H, W, C) the painting's
statistics at one level.

- ``adain`` (Huang & Belongie 2017): each channel's mean and spread;
- ``wct`` (Li et al. 2017): whitening, then colouring by the painting's covariance, so the features'
  Gram matrix (lesson 8's style) becomes the painting's;
- ``ot`` (Lu et al. 2019): the optimal-transport map between the two Gaussians, the one linear map
  that reaches the painting's covariance while moving the features least: WCT's statistics with
  less of the photo's content lost.

``StyleTransform`` is the Keras layer that holds one painting's statistics at one level.
"""

import keras
import numpy as np
from keras import ops

from .defaults import EIGEN_FLOOR, TRANSFORMS


def statistics(features):
    """(mean (B, 1, C), covariance (B, C, C)) of features (B, H, W, C), float32."""
    f = ops.cast(features, "float32")
    f = ops.reshape(f, (ops.shape(f)[0], -1, ops.shape(f)[-1]))
    mean = ops.mean(f, axis=1, keepdims=True)
    centred = f - mean
    n = ops.cast(ops.shape(f)[1], "float32")
    return mean, ops.einsum("bnc,bnd->bcd", centred, centred) / ops.maximum(n - 1, 1.0)


def _power(cov, power):
    """Symmetric ``cov`` (B, C, C) to a real ``power`` (1/2, -1/2), eigenvalues floored at
    ``EIGEN_FLOOR`` of the largest: flat channels (a sky, a black background) give tiny ones."""
    values, vectors = ops.eigh(cov)
    floor = EIGEN_FLOOR * ops.maximum(ops.max(values, axis=-1, keepdims=True), 1e-12)
    values = ops.power(ops.maximum(values, floor), power)
    return ops.einsum("bij,bj,bkj->bik", vectors, values, vectors)


def matrix(content_cov, style_cov, method):
    """The (B, C, C) map ``A`` taking centred photo features to centred painting features (x @ A)."""
    if method == "adain":
        ratio = ops.diagonal(style_cov, axis1=1, axis2=2) / ops.maximum(ops.diagonal(content_cov, axis1=1, axis2=2),
                                                                      1e-12)
        eye = ops.eye(ops.shape(content_cov)[-1], dtype="float32")
        return eye[None] * ops.sqrt(ops.maximum(ratio, 0.0))[:, None, :]
    if method == "wct":
        return ops.matmul(_power(content_cov, -0.5), _power(style_cov, 0.5))
    root, inverse = _power(content_cov, 0.5), _power(content_cov, -0.5)  # ot: C^-1/2 (C^1/2 S C^1/2)^1/2 C^-1/2
    return ops.matmul(ops.matmul(inverse, _power(ops.matmul(ops.matmul(root, style_cov), root), 0.5)), inverse)


def transform(features, style, *, method, alpha=1.0):
    """``features`` (B, H, W, C) given the painting's ``style`` statistics ``(mean, cov)`` by
    ``method``, ``alpha`` of the way (0: unchanged)."""
    if method not in TRANSFORMS:
        raise ValueError(f"unknown transform {method!r}: use {', '.join(TRANSFORMS)}")
    f = ops.cast(features, "float32")
    shape = ops.shape(f)
    mean, cov = statistics(f)
    flat = ops.reshape(f, (shape[0], -1, shape[-1])) - mean
    moved = ops.matmul(flat, matrix(cov, ops.cast(style[1], "float32"), method)) + ops.cast(style[0], "float32")
    return alpha * ops.reshape(moved, shape) + (1 - alpha) * f


class StyleTransform(keras.layers.Layer):
    """Features -> features with one painting's statistics (``mean`` (C,), ``cov`` (C, C)) by ``method``."""

    def __init__(self, mean, cov, method, alpha=1.0, **kwargs):
        super().__init__(dtype="float32", **{k: v for k, v in kwargs.items() if k != "dtype"})
        self.method, self.alpha = method, float(alpha)
        mean = np.asarray(mean, "float32").reshape(1, 1, -1)
        c = mean.shape[-1]
        self.mean = self.add_weight(shape=(1, 1, c), initializer="zeros", trainable=False, name="mean")
        self.cov = self.add_weight(shape=(1, c, c), initializer="zeros", trainable=False, name="cov")
        self.mean.assign(mean)
        self.cov.assign(np.asarray(cov, "float32").reshape(1, c, c))

    def call(self, features):
        return transform(features, (self.mean, self.cov), method=self.method, alpha=self.alpha)

    def compute_output_shape(self, input_shape):
        return input_shape
