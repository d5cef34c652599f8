"""Evaluator caching, solve_image's rounds and clipping, the blurred start, the loss scale."""

import numpy as np
import pytest

from keras_nst.core.optimise.evaluator import Evaluator, auto_loss_scale, blurred_noise, solve_image
from keras_nst.core.vgg import pixel_bounds

SHAPE = (1, 4, 5, 3)


class Quadratic:
    """loss = sum((x - target)^2), counting evaluations."""

    def __init__(self, target):
        self.target, self.calls = target, 0

    def __call__(self, x):
        assert x.dtype == np.float32 and x.shape == SHAPE
        self.calls += 1
        d = x - self.target
        return float((d * d).sum()), (2 * d).astype("float32")


def test_evaluator_computes_once_per_point():
    f = Quadratic(np.zeros(SHAPE, "float32"))
    ev = Evaluator(f, SHAPE)
    x = np.ones(np.prod(SHAPE))
    assert ev.loss(x) == pytest.approx(60.0)
    assert isinstance(ev.loss(x), np.float64)
    g = ev.grads(x)
    assert f.calls == 1 and ev.evaluations == 1  # the gradient came from the cache
    assert g.dtype == np.float64 and g.shape == (60,) and np.all(g == 2)
    y = x * 2
    np.testing.assert_allclose(ev.grads(y), 4)  # a new point is evaluated, never a stale gradient
    assert f.calls == 2
    ev.loss(x)
    assert f.calls == 3


def test_solve_image_lowers_loss_clips_and_reports():
    low, high = pixel_bounds()
    target = np.broadcast_to(high + 50, SHAPE).astype("float32")  # optimum lies outside valid pixels
    f = Quadratic(target)
    seen = []
    x, losses = solve_image(Evaluator(f, SHAPE), 2, np.zeros(SHAPE), callback=lambda i, x, loss: seen.append((i, loss)))
    assert x.shape == SHAPE and x.dtype == np.float32
    assert len(losses) == 2 and [i for i, _ in seen] == [0, 1]
    assert losses[0] < float(((0 - target) ** 2).sum())
    assert np.all(x <= high + 1e-4) and np.all(x >= low - 1e-4)  # clipped to the valid range
    np.testing.assert_allclose(x, np.broadcast_to(high, SHAPE), atol=1e-3)


def test_solve_image_respects_maxfun():
    f = Quadratic(np.full(SHAPE, 3.0, "float32") * np.arange(60).reshape(SHAPE))
    ev = Evaluator(f, SHAPE)
    solve_image(ev, 3, np.zeros(SHAPE), maxfun=4)
    # SciPy checks maxfun between iterations, so a round may finish its line search past it
    assert 3 * 2 <= ev.evaluations <= 3 * (4 + 5)


def test_blurred_noise_is_seeded_smooth_and_small():
    a, b = blurred_noise((1, 32, 32, 3), seed=1), blurred_noise((1, 32, 32, 3), seed=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, blurred_noise((1, 32, 32, 3), seed=2))
    raw = np.random.default_rng(1).uniform(-2.5, 2.5, (1, 32, 32, 3))
    assert np.abs(np.diff(a, axis=1)).mean() < 0.2 * np.abs(np.diff(raw, axis=1)).mean()
    assert a.dtype == np.float32 and np.abs(a).max() < 2.5


@pytest.mark.parametrize("peak, scale", [(0.05, 100.0), (4.6e-3, 1e3), (1e-9, 1e10), (20.0, 1.0), (0.0, 1.0)])
def test_auto_loss_scale_brings_gradient_near_ten(peak, scale):
    grad = np.zeros(10, "float32")
    grad[3] = -peak
    assert auto_loss_scale(grad) == pytest.approx(scale)
