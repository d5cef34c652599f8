"""On-device L-BFGS and Adam: they descend, keep pixels valid, count evaluations, and match SciPy's loss."""

import keras
import numpy as np
import pytest
from keras import ops

from keras_nst import style_transfer
from keras_nst.core.errors import NSTError
from keras_nst.core.optimise import device as device_opt
from keras_nst.core.vgg import pixel_bounds

from helpers import skimage_rgb

SHAPE = (1, 6, 7, 3)


def quadratic(target, calls):
    """loss = sum(w * (x - target)^2) with uneven curvature, as backend tensors."""
    w = ops.convert_to_tensor(np.linspace(0.5, 20, np.prod(SHAPE)).reshape(SHAPE).astype("float32"))
    target = ops.convert_to_tensor(target.astype("float32"))

    def step(x):
        calls.append(1)
        d = x - target
        return ops.sum(w * d * d), 2 * w * d

    return step


@pytest.mark.parametrize("run", [device_opt.lbfgs, device_opt.adam])
def test_descends_within_bounds_and_budget(run):
    low, high = pixel_bounds()
    target = np.random.default_rng(0).uniform(-60, 60, SHAPE)
    target[..., 0] = high[0] + 40  # part of the optimum lies outside the valid pixels
    calls, seen = [], []
    x, losses, evals = run(quadratic(target, calls), np.zeros(SHAPE, "float32"), 60,
                           callback=lambda i, x, loss: seen.append((i, type(x), loss)), every=20)
    x = keras.ops.convert_to_numpy(x)
    assert len(calls) == evals == 60 and len(losses) == 3 and [i for i, _, _ in seen] == [0, 1, 2]
    assert all(t is np.ndarray for _, t, _ in seen)  # callbacks get host arrays, whatever the backend
    assert losses[-1] < losses[0]
    assert np.all(x <= high + 1e-4) and np.all(x >= low - 1e-4)


def test_lbfgs_solves_a_quadratic_and_stops_at_zero_gradient():
    target = np.random.default_rng(1).uniform(-30, 30, SHAPE)
    calls = []
    x, _, evals = device_opt.lbfgs(quadratic(target, calls), np.zeros(SHAPE, "float32"), 200)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(x), target, atol=1e-2)
    assert len(calls) == evals < 200  # converged: no lower loss to find ends the run early


def test_on_device_lbfgs_matches_scipy_on_the_real_loss(vgg):
    cat, coffee = skimage_rgb("chelsea"), skimage_rgb("coffee")
    scipy = style_transfer(cat, coffee, size=64, iters=3, seed=2)
    device = style_transfer(cat, coffee, size=64, iters=3, seed=2, optimizer="lbfgs")
    assert device.start_loss == pytest.approx(scipy.start_loss, rel=1e-5)  # same loss, same start
    assert device.evaluations == 60 and device.image.shape == scipy.image.shape
    assert device.losses[-1] < 1.1 * scipy.losses[-1]  # comparable (in practice lower: no restarts)
    adam = style_transfer(cat, coffee, size=64, iters=2, seed=2, optimizer="adam")
    assert adam.losses[-1] < adam.start_loss
    with pytest.raises(NSTError, match="unknown --optimizer"):
        style_transfer(cat, coffee, size=64, iters=1, optimizer="sgd")
