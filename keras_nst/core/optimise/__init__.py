"""Lesson 8's image optimisation, the one home every optimisation-based task uses: the course's
``Evaluator`` and SciPy L-BFGS (``evaluator``), L-BFGS and Adam that stay on the device (``device``),
and the loop that runs an objective from a start image (``loop``: ``Run``, ``solve``, ``Result``,
``chained``). It knows no task; names are imported on first use, as Keras loads with ``loop``."""

from ..lazy import lazy_api

_API = {
    "evaluator": ["Evaluator", "auto_loss_scale", "blurred_noise", "solve_image"],
    "device": ["adam", "lbfgs"],
    "loop": ["Result", "Run", "chained", "check_optimizer", "objective_steps", "solve"],
}
__getattr__, __dir__, __all__ = lazy_api(__name__, _API)
