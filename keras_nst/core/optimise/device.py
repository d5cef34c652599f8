"""On-device optimisers for the lesson's image optimisation: L-BFGS and Adam in ``keras.ops``.

SciPy's ``fmin_l_bfgs_b`` (the course's path) copies the image to the host as float64 at every
evaluation and, through ``solve_image``, restarts every 20 evaluations, forgetting its curvature.
Here the image, the L-BFGS history (last ``history`` steps and gradient changes), the two-loop
recursion and the line search stay on the device; only two or three scalars per evaluation come
back to decide the line search. Each evaluation is the compiled ``device_loss_and_grad`` step.
Pixels are kept valid by projection (clipping) at every step.
"""

from keras import ops

from ..backend import compile_fn
from ..defaults import EVALS_PER_ITER
from ..vgg import pixel_bounds


def _dot(a, b):
    return ops.sum(a * b)


class _Reporter:
    """Calls ``callback(round, x, loss)`` each time another ``every`` evaluations are done."""

    def __init__(self, callback, every):
        self.callback, self.every, self.losses, self.evals = callback, every, [], 0

    def count(self, x, loss):
        """One more evaluation; ``x`` and ``loss`` are what to report if a round ends here."""
        self.evals += 1
        if self.evals % self.every == 0:
            self.losses.append(float(loss))
            if self.callback is not None:
                self.callback(len(self.losses) - 1, ops.convert_to_numpy(x), self.losses[-1])


def _bounds(x):
    low, high = pixel_bounds()
    return ops.convert_to_tensor(low, dtype=x.dtype), ops.convert_to_tensor(high, dtype=x.dtype)


def _direction(g, S, Y, rho):
    """The two-loop recursion. ``S, Y, rho``: the history, oldest first, as lists (eager backends) or
    as fixed-size stacked buffers whose empty slots have rho = 0 and change nothing (one compiled
    call on JAX). Returns the direction and its slope ``g.d``."""
    q, alphas, m = g, [], len(rho)
    for i in reversed(range(m)):
        a = rho[i] * _dot(S[i], q)
        alphas.append(a)
        q = q - a * Y[i]
    scale = 1 / ops.maximum(ops.max(ops.abs(g)), 1e-12)  # no history: move pixels by at most one unit
    if m:
        scale = ops.where(rho[-1] > 0, _dot(S[-1], Y[-1]) / ops.maximum(_dot(Y[-1], Y[-1]), 1e-30), scale)
    q = q * scale
    for i, a in zip(range(m), reversed(alphas)):
        q = q + S[i] * (a - rho[i] * _dot(Y[i], q))
    return -q, _dot(g, -q)


class _Lists:
    """The history for eager backends: only the pairs kept; the curvature check reads s.y back."""

    def __init__(self, size, x):
        self.size = size
        self.clear()

    def clear(self):
        self.S, self.Y, self.rho = [], [], []

    def push(self, x_new, x, g_new, g):
        s, y = x_new - x, g_new - g
        ys = float(_dot(s, y))
        if ys > 1e-10:  # else no curvature information: skip the pair
            new = ((self.S, s), (self.Y, y), (self.rho, 1 / ys))
            self.S, self.Y, self.rho = ((v + [n])[-self.size:] for v, n in new)


def _push(S, Y, rho, x_new, x, g_new, g):
    s, y = x_new - x, g_new - g
    ys = _dot(s, y)
    keep = ys > 1e-10
    S2, Y2 = ops.concatenate([S[1:], s[None]]), ops.concatenate([Y[1:], y[None]])
    rho2 = ops.concatenate([rho[1:], ops.reshape(1 / ops.where(keep, ys, 1.0), (1,))])
    return ops.where(keep, S2, S), ops.where(keep, Y2, Y), ops.where(keep, rho2, rho)


class _Buffers:
    """The history when compiled: fixed-size buffers updated on the device, nothing read back."""

    def __init__(self, size, x):
        self.empty = [ops.zeros((size, *x.shape), x.dtype)] * 2 + [ops.zeros((size,), x.dtype)]
        self.update = compile_fn(_push)
        self.clear()

    def clear(self):
        self.S, self.Y, self.rho = self.empty

    def push(self, *step):
        self.S, self.Y, self.rho = self.update(self.S, self.Y, self.rho, *step)


def _trial(x, d, t, low, high):
    return ops.clip(x + t * d, low, high)


def lbfgs(step, x0, max_evals, *, callback=None, every=EVALS_PER_ITER, history=10, c1=1e-4, c2=0.9):
    """Minimise ``step(x) -> (loss, grad)`` from ``x0`` for ``max_evals`` evaluations.

    Backtracking (Armijo, with quadratic interpolation) line search along the two-loop direction,
    doubling instead a full step that leaves the slope steep (curvature condition, ``c2``);
    the first direction is the gradient scaled to move pixels by at most one unit. Returns the final
    image (a backend tensor), the loss after each ``every`` evaluations, and the evaluations used
    (fewer than ``max_evals`` once no step lowers the loss). Per evaluation only the loss comes back,
    per iteration the slope (and on eager backends s.y); on JAX the arithmetic is compiled.
    """
    direction, trial = compile_fn(_direction), compile_fn(_trial)
    low, high = _bounds(ops.convert_to_tensor(x0))
    x = ops.clip(ops.convert_to_tensor(x0), low, high)
    pairs = (_Lists if direction is _direction else _Buffers)(history, x)
    fresh = True  # no pair pushed since the start or the last reset
    report = _Reporter(callback, every)
    f, g = step(x)
    f = float(f)
    report.count(x, f)
    while report.evals < max_evals:
        d, gtd = direction(g, pairs.S, pairs.Y, pairs.rho)
        gtd = float(gtd)
        if gtd >= 0:  # not a descent direction: curvature went stale, or the gradient vanished
            if fresh:
                break
            pairs.clear()
            fresh = True
            continue
        t, f0, first = 1.0, f, True
        while True:
            x_new = trial(x, d, ops.convert_to_tensor(t, x.dtype), low, high)
            f_new, g_new = step(x_new)
            fn = float(f_new)
            report.count(*((x_new, fn) if fn < f0 else (x, f0)))  # report the best point so far
            if fn <= f0 + c1 * t * gtd or report.evals >= max_evals or t < 1e-10:
                break
            first = False
            # minimum of the quadratic through f0, gtd and fn, kept within [0.1 t, 0.5 t]
            t = min(0.5 * t, max(0.1 * t, -gtd * t * t / (2 * (fn - f0 - gtd * t))))
        # the full step was accepted and the slope there is still steep (Wolfe's curvature condition
        # fails): the step is too short, as with a sharply curved start (--style-masks); double it
        # while that lowers the loss, as SciPy's line search extrapolates
        while first and fn < f0 and report.evals < max_evals and float(_dot(g_new, d)) < c2 * gtd:
            x_try = trial(x, d, ops.convert_to_tensor(2 * t, x.dtype), low, high)
            f_try, g_try = step(x_try)
            ft = float(f_try)
            report.count(*((x_try, ft) if ft < fn else (x_new, fn)))
            if not ft < fn:
                break
            x_new, f_new, g_new, fn, t = x_try, f_try, g_try, ft, 2 * t
        if fn >= f0:  # no step lowers the loss any more (float32 resolution): converged
            break
        pairs.push(x_new, x, g_new, g)
        fresh = False
        x, f, g = x_new, fn, g_new
    return x, report.losses, report.evals


def adam(step, x0, max_evals, *, callback=None, every=EVALS_PER_ITER, lr=2.0, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam on the pixels (``lr`` in pixel units), for comparison with L-BFGS; same contract."""
    low, high = _bounds(ops.convert_to_tensor(x0))
    x = ops.clip(ops.convert_to_tensor(x0), low, high)
    m = v = ops.zeros_like(x)
    report = _Reporter(callback, every)
    for i in range(1, max_evals + 1):
        f, g = step(x)
        report.count(x, f)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = ops.clip(x - lr * (m / (1 - beta1**i)) / (ops.sqrt(v / (1 - beta2**i)) + eps), low, high)
    return x, report.losses, report.evals
