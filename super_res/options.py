"""Super-resolution's inputs checked without Keras: shipped models by name, tiles, test folders and
the training run's settings.

Loading Keras takes ~10 s; a typo in a path or an option is reported at once, one line, exit 2,
before it loads (the command line calls these first; ``train`` and ``upscale`` call them again for
callers from Python).
"""

from dataclasses import dataclass
from pathlib import Path

from keras_nst.core.defaults import PRECISIONS
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import check_image, find_images
from keras_nst.core.registry import Registry
from keras_nst.core.runs import check_run, positive
from keras_nst.core.tiles import TilePlan

from .defaults import (
    ARCHS,
    BACK_PROJECTION,
    BYTES_PER_OUTPUT_PIXEL,
    DISTILL_WEIGHT,
    LOSS_LAYERS,
    MIN_TILE,
    MODELS,
    OVERLAP,
    RESULT_BYTES,
    SCALE,
    UPSAMPLES,
)

REGISTRY = Registry(Path(__file__).parent / "models", MODELS, "x4 model")
PLAN = TilePlan("upscale", BYTES_PER_OUTPUT_PIXEL, overlap=OVERLAP, min_tile=MIN_TILE, scale=SCALE,
                kept_bytes=RESULT_BYTES)
MODELS_DIR = REGISTRY.folder


@dataclass(frozen=True)
class Settings:
    """What a checkpoint keeps, so that ``--resume`` rebuilds the same network and loss. ``n_res=None``:
    the ``init_from`` network's depth (fine-tuning a shipped model needs no ``--n-res``), else ``N_RES``.
    ``distill_from``: a teacher network whose turned views are a second target (``TeacherViews``),
    weighted ``distill_weight`` against the high-res image's ``1 - distill_weight``. ``back_projection``:
    iterations of it in the saved model (``model.back_projected``); None: ``BACK_PROJECTION`` of the arch.
    ``train_back_projected``: the loss sees the back-projected result in training too, so the network
    leaves the low band to back-projection and learns only what it cannot give (as Bahat & Michaeli's
    consistency-enforcing module, "Explorable Super Resolution", CVPR 2020)."""

    arch: str = "residual"
    upsample: str = "upsample"
    n_res: int = None
    precision: str = "float32"
    feature_weight: float = 1.0
    loss_layers: tuple = LOSS_LAYERS
    layer_weights: tuple = None
    pixel_weight: float = 0.0
    pixel_loss: str = "mse"
    distill_from: str = None
    distill_weight: float = DISTILL_WEIGHT
    back_projection: int = None
    train_back_projected: bool = False

    def back_projections(self):
        return BACK_PROJECTION[self.arch] if self.back_projection is None else self.back_projection

    def terms(self):
        """The loss's terms (this one needs Keras: the layers and weights are checked here)."""
        from .loss import sr_terms

        return sr_terms(feature_weight=self.feature_weight, loss_layers=self.loss_layers,
                        layer_weights=self.layer_weights, pixel_weight=self.pixel_weight, pixel_loss=self.pixel_loss)


def check_model(name_or_path, option="--model"):
    """The file of a shipped model's name or of a path, which must exist."""
    return REGISTRY.path(name_or_path, option)


def check_tile(tile):
    return PLAN.check_tile(tile)


def eval_images(folder, limit=None):
    """The images of a test folder (the first ``limit``), each checked by its header; a one-line error
    if there are none or one is unreadable."""
    images = find_images(folder)[:limit]
    if not images:
        raise NSTError(f"{folder}: {'no images to evaluate' if Path(folder).is_dir() else 'no such folder'}")
    return [check_image(p) for p in images]


def check(out, *, settings, init_from, **run):
    """Every option and path of a training run but the loss's (``Settings.terms``, which needs Keras),
    before any work: returns the checkpoint folder."""
    ckpt = check_run(out, **run)
    if settings.arch not in ARCHS or settings.upsample not in UPSAMPLES or settings.precision not in PRECISIONS:
        raise NSTError(f"unknown --arch/--upsample/--precision: {settings.arch}/{settings.upsample}/"
                       f"{settings.precision}")
    if settings.n_res is not None:
        positive(settings.n_res, "--n-res", integer=True)
    for model, option in ((init_from, "--init-from"), (settings.distill_from, "--distill-from")):
        if model:
            check_model(model, option)
    if settings.back_projection is not None and settings.back_projection != 0:
        positive(settings.back_projection, "--back-projection", integer=True)
    if settings.train_back_projected and not settings.back_projections():
        raise NSTError(f"--train-back-projected needs back-projection in the model: --back-projection 1 or more "
                       f"(--arch {settings.arch} has {settings.back_projections()})")
    if not 0 < settings.distill_weight <= 1:
        raise NSTError(f"--distill-weight must be in (0, 1], got {settings.distill_weight}")
    return ckpt
