"""Gram matrix, losses and caffe pre/de-processing against values computed by hand in NumPy."""

import keras
import numpy as np
import pytest

from keras_nst.core.errors import NSTError
from keras_nst.core.terms import (
    STAT_FNS,
    Objective,
    content_loss,
    content_term,
    gram_diagonal,
    gram_matrix,
    mse,
    pixel_term,
    style_loss,
    style_term,
    total_variation,
    tv_term,
)
from keras_nst.core.vgg import RN_MEAN, deproc, pixel_bounds, preproc

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


def test_gram_diagonal_is_the_gram_matrix_diagonal_and_its_term_ignores_correlations():
    x = rng.normal(size=(2, 6, 5, 4)).astype("float32")
    diag = keras.ops.convert_to_numpy(gram_diagonal(x))
    assert diag.shape == (2, 1, 4)
    np.testing.assert_allclose(diag[:, 0], np.diagonal(keras.ops.convert_to_numpy(gram_matrix(x)), axis1=1, axis2=2),
                               rtol=1e-5)
    # mixing two channels keeps their energies (the diagonal) and changes their correlation: only the
    # full Gram term sees the difference
    a = rng.normal(size=(1, 8, 8, 2)).astype("float32")
    a[..., 1] = rng.choice([-1, 1], size=(1, 8, 8)) * np.abs(a[..., 1])
    b = a.copy()
    b[..., 1] = np.abs(a[..., 1]) * np.sign(a[..., 0])  # same energy per channel, channels now correlated
    for stat, differs in (("gram", True), ("diagonal", False)):
        term = style_term(["block1_conv1"], [1.0], stat=stat)
        value = float(term.loss(None, {"block1_conv1": a}, {"block1_conv1": STAT_FNS[stat](b)}))
        assert (value > 1e-4) == differs, (stat, value)


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


def test_composed_objective_matches_a_hand_computation():
    """content (block1_conv2, weight 2) + style (block1_conv2 0.3, block2_conv2 0.7) + TV (0.5)."""
    x = rng.uniform(-50, 50, (1, 6, 5, 3)).astype("float32")
    f1, f2 = rng.normal(size=(1, 4, 4, 2)).astype("float32"), rng.normal(size=(1, 2, 2, 3)).astype("float32")
    c1 = rng.normal(size=(1, 4, 4, 2)).astype("float32")
    g1, g2 = rng.normal(size=(2, 2)).astype("float32"), rng.normal(size=(3, 3)).astype("float32")
    objective = Objective([content_term(["block1_conv2"], weight=2.0),
                           style_term(["block1_conv2", "block2_conv2"], [0.3, 0.7]), tv_term(weight=0.5)])
    assert objective.layers == ("block1_conv2", "block2_conv2")
    features = objective.features([f1, f2])
    consts = {"content": {"block1_conv2": c1}, "style": {"block1_conv2": g1, "block2_conv2": g2}}
    got = float(keras.ops.convert_to_numpy(objective(x, features, consts)))
    tv = np.mean((x[:, 1:, :-1] - x[:, :-1, :-1]) ** 2) + np.mean((x[:, :-1, 1:] - x[:, :-1, :-1]) ** 2)
    want = (2.0 * np.mean((f1 - c1) ** 2) + 0.3 * np.mean((np_gram(f1[0]) - g1) ** 2)
            + 0.7 * np.mean((np_gram(f2[0]) - g2) ** 2) + 0.5 * tv)
    assert got == pytest.approx(want, rel=1e-5)
    assert float(keras.ops.convert_to_numpy(total_variation(x))) == pytest.approx(tv, rel=1e-5)


def test_constants_come_from_each_terms_reference_once():
    calls = []

    def features_of(image):
        calls.append(image)
        return {"block1_conv2": image * 2}

    objective = Objective([content_term(["block1_conv2"]), pixel_term(weight=1.0), tv_term(weight=0.0)])
    assert [t.name for t in objective.terms] == ["content", "pixel"]  # a zero weight drops the term
    ref = np.ones((1, 3, 3, 1), "float32")
    consts = objective.constants({"content": ref, "pixel": ref}, features_of)
    assert len(calls) == 1  # one VGG pass for the two terms sharing the reference
    np.testing.assert_array_equal(consts["content"]["block1_conv2"], ref * 2)
    assert consts["pixel"] is ref


@pytest.mark.parametrize("make, message", [
    (lambda: tv_term(weight=float("nan")), "--tv-weight must be a finite number >= 0"),
    (lambda: content_term(weight=-1.0), "--content-weight must be"),
    (lambda: style_term(stat="mean"), "unknown --style-stat 'mean': use gram or diagonal"),
    (lambda: style_term(["block1_conv2"], [float("inf")]), "layer weights must be finite"),
    (lambda: pixel_term(kind="l3"), "unknown --pixel-loss"),
])
def test_bad_term_settings_are_one_line_errors(make, message):
    with pytest.raises(NSTError, match=message):
        make()


def test_trainer_loss_uses_the_batch_target_and_fixed_references(vgg):
    """Fast style's shape: content against the batch's target, style against one fixed image."""
    from keras_nst.core.trainer import PerceptualLoss
    from keras_nst.core.vgg import feature_model

    layer = "block1_conv2"
    style = rng.uniform(0, 255, (1, 20, 24, 3)).astype("float32")
    target, output = (rng.uniform(0, 255, (2, 16, 16, 3)).astype("float32") for _ in range(2))
    loss = PerceptualLoss([content_term([layer], weight=2.0), style_term([layer], [1.0], weight=3.0)],
                          fixed={"style": style})
    f = lambda x: keras.ops.convert_to_numpy(feature_model(vgg, [layer])(preproc(x)))
    gram = lambda a: np.stack([np_gram(i) for i in a])
    want = 2.0 * np.mean((f(output) - f(target)) ** 2) + 3.0 * np.mean((gram(f(output)) - gram(f(style))) ** 2)
    assert float(keras.ops.convert_to_numpy(loss(target, output))) == pytest.approx(want, rel=1e-4)
