"""Gram matrix, losses and caffe pre/de-processing against values computed by hand in NumPy."""

import keras
import numpy as np
import pytest

from keras_nst.features import RN_MEAN, deproc, pixel_bounds, preproc
from keras_nst.losses import content_loss, gram_matrix, mse, style_loss

rng = np.random.default_rng(0)


def np_gram(x):
    h, w, c = x.shape
    f = x.reshape(h * w, c)
    return f.T @ f / (h * w * c)


def test_gram_matrix_matches_numpy():
    x = rng.normal(size=(5, 7, 4)).astype("float32")
    got = keras.ops.convert_to_numpy(gram_matrix(x))
    np.testing.assert_allclose(got, np_gram(x), rtol=1e-5)
    # by hand, one entry: channel 1 against channel 3, averaged over h*w*c
    assert got[1, 3] == pytest.approx(float((x[..., 1] * x[..., 3]).sum() / (5 * 7 * 4)), rel=1e-5)


def test_gram_matrix_batched_and_size_independent_shape():
    x = rng.normal(size=(2, 6, 3, 4)).astype("float32")
    got = keras.ops.convert_to_numpy(gram_matrix(x))
    assert got.shape == (2, 4, 4)
    np.testing.assert_allclose(got[1], np_gram(x[1]), rtol=1e-5)
    assert keras.ops.convert_to_numpy(gram_matrix(rng.normal(size=(1, 11, 2, 4)).astype("float32"))).shape == (1, 4, 4)


def test_content_loss_is_mean_squared_error():
    a, b = rng.normal(size=(1, 4, 4, 3)), rng.normal(size=(1, 4, 4, 3))
    assert float(content_loss(a, b)) == pytest.approx(np.mean((a - b) ** 2), rel=1e-6)
    assert float(mse(np.ones(4), np.zeros(4))) == 1.0


def test_style_loss_weights_each_layer():
    acts = [rng.normal(size=(1, 6, 6, 3)).astype("float32"), rng.normal(size=(1, 3, 3, 5)).astype("float32")]
    targets = [rng.normal(size=(1, 3, 3)).astype("float32"), rng.normal(size=(1, 5, 5)).astype("float32")]
    weights = [0.25, 2.0]
    want = sum(w * np.mean((np_gram(a[0]) - t[0]) ** 2) for a, t, w in zip(acts, targets, weights))
    assert float(style_loss(acts, targets, weights)) == pytest.approx(want, rel=1e-5)


def test_preproc_subtracts_imagenet_mean_and_flips_to_bgr():
    rgb = np.array([[[[200.0, 100.0, 50.0]]]])
    bgr = preproc(rgb)
    np.testing.assert_allclose(bgr[0, 0, 0], [50 - 103.939, 100 - 116.779, 200 - 123.68], rtol=1e-6)
    np.testing.assert_allclose(deproc(bgr), rgb, atol=1e-4)
    np.testing.assert_allclose(deproc(bgr.ravel(), (1, 1, 1, 3)), rgb, atol=1e-4)
    assert deproc(np.full((1, 1, 1, 3), 1e4)).max() == 255  # clipped


def test_pixel_bounds_are_black_and_white():
    low, high = pixel_bounds()
    np.testing.assert_allclose(low, preproc(np.zeros(3)), atol=1e-5)
    np.testing.assert_allclose(high, preproc(np.full(3, 255.0)), atol=1e-4)
    assert RN_MEAN.dtype == np.float32
