"""The loop every optimisation-based task shares (lesson 8: "optimise the pixels, not the weights"):
an objective's loss and gradient on the device (``objective_steps``), a loss scale chosen from the
start gradient, then rounds of the course's SciPy L-BFGS (``evaluator``) or of an on-device
optimiser (``device``) from a start image; ``chained`` joins runs done one after another (coarse to
fine levels, harmonization's passes). It knows no task: style transfer, the reconstructions and
harmonization hand it their terms' objective and their start image.
"""

import time
from dataclasses import dataclass, field

import keras
import numpy as np

from ..backend import device_loss_and_grad, numpy_step
from ..defaults import EVALS_PER_ITER, OPTIMIZERS, PRECISION
from ..errors import NSTError
from ..vgg import deproc
from . import device
from .evaluator import Evaluator, auto_loss_scale, solve_image


@dataclass(frozen=True)
class Run:
    """How the image is optimised."""

    iters: int = 10
    optimizer: str = "lbfgs-scipy"
    precision: str = PRECISION
    weights: str = "auto"  # the VGG16 weights source
    loss_scale: object = "auto"


@dataclass
class Result:
    image: np.ndarray  # H x W x 3 uint8 RGB
    losses: list = field(default_factory=list)  # loss after each outer iteration
    seconds: float = 0.0
    evaluations: int = 0
    weights_source: str = ""
    loss_scale: float = 1.0
    start_loss: float = float("nan")  # loss of the start image, unscaled
    images: np.ndarray = None  # B x H x W x 3: every image of a batch (``image`` is the first)
    precision: str = "float32"  # what VGG16 computed in: float32, or mixed (bfloat16)


def check_optimizer(name):
    if name not in OPTIMIZERS:
        raise NSTError(f"unknown --optimizer '{name}': use {', '.join(OPTIMIZERS)}")
    return name


def objective_steps(objective, model, consts):
    """``at_scale(scale) -> step(x) -> (scale * loss, its gradient)`` as device tensors, for the
    ``objective`` on ``model``'s features with the terms' constants ``consts`` (made once, kept on
    the device)."""

    def loss_fn(x, outputs, c):  # c: the terms' constants, and the loss scale
        return c["scale"] * objective(x, objective.features(outputs), c["terms"])

    step = device_loss_and_grad(model, loss_fn)

    def at_scale(scale=1.0):
        c = {"terms": consts, "scale": keras.ops.convert_to_tensor(float(scale))}
        return lambda x: step(x, c)

    return at_scale


def solve(objective, x0, run, *, callback=None, weights_source="", precision="float32"):
    """Optimise the pixels of ``x0`` (preprocessed, B x h x w x 3) for ``objective(scale) -> step``
    with ``run``'s optimiser and rounds: the loop every optimisation-based task shares (style
    transfer, harmonization's passes). Returns a ``Result``, losses unscaled."""
    check_optimizer(run.optimizer)
    start_loss, grad = numpy_step(objective(1.0))(x0)
    if not np.isfinite(start_loss):
        raise NSTError(f"the loss of the start image is {start_loss}: check the weights and the images")
    scale = auto_loss_scale(grad) if run.loss_scale == "auto" else float(run.loss_scale)
    step = objective(scale)
    report = None if callback is None else (lambda i, x, value: callback(i, x, value / scale))
    started = time.perf_counter()
    if run.optimizer == "lbfgs-scipy":
        evaluator = Evaluator(numpy_step(step), x0.shape)
        x, losses = solve_image(evaluator, run.iters, x0, callback=report)
        evaluations = evaluator.evaluations
    else:
        method = device.lbfgs if run.optimizer == "lbfgs" else device.adam
        x, losses, evaluations = method(step, x0, run.iters * EVALS_PER_ITER, callback=report, every=EVALS_PER_ITER)
        x = keras.ops.convert_to_numpy(x)
    seconds = time.perf_counter() - started
    if not np.isfinite(losses).all() or not np.isfinite(x).all():
        raise NSTError(f"the loss became {next((v for v in losses if not np.isfinite(v)), 'non-finite')} during "
                       "the optimisation: no image was written. Likely causes: --precision mixed on a "
                       "huge loss, or extreme --content-weight / --style-weights; try the defaults")
    images = deproc(x).round().astype(np.uint8)
    return Result(images[0], [v / scale for v in losses], seconds, evaluations, weights_source, scale, start_loss,
                  images, precision)


def chained(earlier, later):
    """One ``Result`` for optimisations run one after another (``multires`` levels, harmonization's
    passes): ``later``'s, its losses, evaluations and time added to ``earlier``'s, the start loss the
    first's."""
    if earlier is not None:
        later.losses, later.evaluations = earlier.losses + later.losses, earlier.evaluations + later.evaluations
        later.seconds, later.start_loss = earlier.seconds + later.seconds, earlier.start_loss
    return later


