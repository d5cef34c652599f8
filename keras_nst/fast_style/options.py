"""Fast style transfer's inputs checked without Keras (lesson 9's homework): shipped styles by name,
tiles and the training run's settings.

Loading Keras takes ~8 s; a typo in a path or an option is reported at once, one line, exit 2,
before it loads (the command line calls these first; ``train`` calls them again for callers from
Python).
"""

import numbers
from dataclasses import dataclass
from pathlib import Path

from ..core.defaults import PRECISIONS, STYLE_LAYERS, STYLE_WEIGHTS
from ..core.errors import NSTError
from ..core.image_io import load_image
from ..core.registry import Registry
from ..core.runs import check_run, positive
from ..core.tiles import TilePlan
from .defaults import (
    BYTES_PER_PIXEL,
    CONTENT_LAYER,
    CONTENT_WEIGHT,
    FILTERS,
    MAX_TEMPORAL_BLEND,
    MIN_TILE,
    MODELS,
    NORMS,
    OVERLAP,
    RES_BLOCKS,
    STYLE_WEIGHT,
    TV_WEIGHT,
    UPSAMPLES,
)

REGISTRY = Registry(Path(__file__).resolve().parents[1] / "models", MODELS, "style")
PLAN = TilePlan("stylise", BYTES_PER_PIXEL, overlap=OVERLAP, min_tile=MIN_TILE, blend=True)


@dataclass(frozen=True)
class Settings:
    """What a checkpoint keeps, so that ``--resume`` rebuilds the same network and loss."""

    FLAGS = {"n_res": "--res-blocks", "style_layer_weights": "--style-weights"}  # where not --field-name

    style: str = None
    style_size: int = None  # longer side of the style image in px (default: the training image size)
    norm: str = NORMS[0]
    upsample: str = UPSAMPLES[0]
    filters: int = FILTERS
    n_res: int = RES_BLOCKS
    style_layers: tuple = STYLE_LAYERS
    style_layer_weights: tuple = None
    style_weight: float = STYLE_WEIGHT
    content_layer: str = CONTENT_LAYER
    content_weight: float = CONTENT_WEIGHT
    tv_weight: float = TV_WEIGHT
    precision: str = "float32"  # or mixed: network and VGG16 in bfloat16 (the saved model is float32)

    def terms(self):
        """The loss's terms (this one needs Keras: the layers and weights are checked here)."""
        from ..core.terms import content_term, style_term, tv_term

        weights = self.style_layer_weights
        if weights is None and tuple(self.style_layers) == STYLE_LAYERS:
            weights = STYLE_WEIGHTS
        return [content_term([self.content_layer], weight=self.content_weight),
                style_term(self.style_layers, weights, weight=self.style_weight),
                tv_term(weight=self.tv_weight)]

    def network(self):
        from ..core.vgg import precision_scope
        from .model import transform_net

        with precision_scope(self.precision):
            return transform_net(norm=self.norm, upsample=self.upsample, filters=self.filters, n_res=self.n_res)


def shipped():
    """Names of the styles shipped inside the package."""
    return REGISTRY.shipped()


def check_video(*, temporal_blend, frames=None):
    """A clip's own settings, for the command line and ``stylize_video`` alike: the share of the last
    result kept (0 to ``MAX_TEMPORAL_BLEND``) and the frames to paint (None: all)."""
    number = isinstance(temporal_blend, numbers.Real)
    if not (number and 0 <= temporal_blend <= MAX_TEMPORAL_BLEND):  # NaN too
        raise NSTError(f"--temporal-blend {temporal_blend:{'g' if number else ''}}: from 0 (every frame on its own) "
                       f"to {MAX_TEMPORAL_BLEND:g}")
    if frames is not None:
        positive(frames, "--frames", integer=True)
    return float(temporal_blend)


def check(out, *, settings, image_size, sample, **run):
    """Every option and file of a training run but the loss's (``Settings.terms``, which needs Keras),
    before any work: returns the checkpoint folder."""
    ckpt = check_run(out, **run)
    if not run["resume"]:
        if settings.style is None:
            raise NSTError("--style is required: the style image this network learns")
        load_image(settings.style, settings.style_size)  # readable, not tiny
    if image_size is not None:
        positive(image_size, "--image-size", integer=True)
    if settings.style_size is not None:
        positive(settings.style_size, "--style-size", integer=True)
    for value, option in ((settings.filters, "--filters"), (settings.n_res, "--res-blocks")):
        positive(value, option, integer=True)
    if settings.norm not in NORMS or settings.upsample not in UPSAMPLES or settings.precision not in PRECISIONS:
        raise NSTError(f"unknown --norm/--upsample/--precision: {settings.norm}/{settings.upsample}/"
                       f"{settings.precision}")
    if sample is not None:
        load_image(sample)
    return ckpt
