"""Lesson 8's optimiser: SciPy's L-BFGS-B over the pixels, fed by an ``Evaluator``.

``fmin_l_bfgs_b`` wants the loss and the gradient from two separate callbacks, but one forward and
backward pass yields both; the ``Evaluator`` computes them together and caches the gradient for the
same ``x``. ``solve_image`` restarts L-BFGS every ``maxfun=20`` evaluations, clipping to valid pixels
in between, exactly as the course did.
"""

import numpy as np
from scipy.ndimage import gaussian_filter
from scipy.optimize import fmin_l_bfgs_b

from ..defaults import EVALS_PER_ITER
from ..vgg import pixel_bounds


class Evaluator:
    """Wraps ``f(x) -> (loss, grad)`` for SciPy: one evaluation per distinct ``x`` serves both calls."""

    def __init__(self, f, shape):
        self.f, self.shape = f, tuple(shape)
        self.evaluations = 0
        self._x = self._loss = self._grad = None

    def _at(self, x):
        if self._x is not None and np.array_equal(x, self._x):
            return  # SciPy asks for the gradient at the point it just evaluated: no second pass
        self._loss, self._grad = self.f(np.asarray(x, dtype="float32").reshape(self.shape))
        self._x = np.array(x, copy=True)
        self.evaluations += 1

    def loss(self, x):
        self._at(x)
        return np.float64(self._loss)

    def grads(self, x):
        self._at(x)
        return np.asarray(self._grad, dtype=np.float64).ravel()


def solve_image(evaluator, niter, x, callback=None, maxfun=EVALS_PER_ITER):
    """``niter`` rounds of L-BFGS-B (``maxfun`` evaluations each) from ``x`` in preprocessed space.

    After each round the image is clipped to the valid pixel range and ``callback(i, x, loss)`` is
    called (progress, saving each iteration's image). Returns the final ``x`` and the loss per round.
    """
    low, high = pixel_bounds()
    x = np.asarray(x, dtype=np.float64).reshape(evaluator.shape)
    losses = []
    for i in range(niter):
        x, min_val, _ = fmin_l_bfgs_b(evaluator.loss, x.ravel(), fprime=evaluator.grads, maxfun=maxfun)
        x = np.clip(x.reshape(evaluator.shape), low, high)
        losses.append(float(min_val))
        if callback is not None:
            callback(i, x, float(min_val))
    return x.astype("float32"), losses


def auto_loss_scale(grad, target=10.0):
    """A power of ten bringing the start gradient's largest entry near ``target``.

    SciPy's L-BFGS-B stops on absolute tolerances (``pgtol=1e-5`` on the gradient, ``factr`` relative
    only while ``|loss| > 1``): a loss like the course's (~1e-7 with deep layers) stops it at once.
    A constant scale moves no minimum; scaling inside the loss also scales every backpropagated
    gradient, keeping float32 (and float16) far from underflow.
    """
    peak = float(np.max(np.abs(grad)))
    return 10.0 ** round(np.log10(target / peak)) if peak > 0 and np.isfinite(peak) else 1.0


def blurred_noise(shape, seed=None, sigma=2.0):
    """Lesson 9's start image: uniform noise, Gaussian-blurred over height and width only."""
    noise = np.random.default_rng(seed).uniform(-2.5, 2.5, shape)
    return gaussian_filter(noise, [0, sigma, sigma, 0]).astype("float32")
