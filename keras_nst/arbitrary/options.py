"""Arbitrary style's inputs checked without Keras: the shipped decoders by name, ``--alpha``,
``--transform``, the painting, the training settings and sources, and the memory plan of a stylisation."""

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import NSTError
from ..core.image_io import load_image
from ..core.registry import Registry
from ..core.tiles import TilePlan
from .defaults import BYTES_PER_PIXEL, CROP, FEATURE_WEIGHT, LEVELS, MODELS, STYLE_SIZE, TRANSFORMS, WIDTHS

REGISTRY = Registry(Path(__file__).resolve().parents[1] / "models", MODELS, "arbitrary-style decoder")
PLAN = TilePlan("stylise", BYTES_PER_PIXEL, overlap=32, min_tile=128, blend=True)


def check_alpha(alpha):
    if not (isinstance(alpha, (int, float)) and 0 <= alpha <= 1):
        raise NSTError(f"--alpha {alpha}: a number from 0 (the photo) to 1 (the painting's statistics, the default)")
    return float(alpha)


def alphas(alpha, n):
    """One ``alpha`` for all ``n`` levels, or one a level (deepest first), each checked."""
    values = list(alpha) if isinstance(alpha, (list, tuple)) else [alpha] * n
    if len(values) not in (1, n):
        raise NSTError(f"--alpha: {len(values)} numbers for {n} levels; give one, or one a level (deepest first)")
    return [check_alpha(a) for a in (values * n if len(values) == 1 else values)]


def check_decoders(names=None, option="--model"):
    """The decoders' files (default: the shipped ones), before Keras loads; a one-line error naming
    how to get one when none ships."""
    if not names and not REGISTRY.shipped():
        raise NSTError("no arbitrary-style decoder ships with this installation (benchmarks/RESULTS.md says why): "
                       f"train them with 'arbitrary-train' and pass them as {option} DECODER.keras ...")
    return [REGISTRY.path(n, option) for n in (names or REGISTRY.shipped())]


def check_transform(method):
    if method not in TRANSFORMS:
        raise NSTError(f"--transform {method}: choose from {', '.join(TRANSFORMS)}")
    return method


def read_painting(painting, size=STYLE_SIZE):
    """The painting (a path or an image array) at ``size`` px on its longer side, checked like any photo."""
    from ..core.image_io import resize

    return load_image(painting, size) if isinstance(painting, (str, Path)) else resize(painting, size, "the painting")


@dataclass(frozen=True)
class Settings:
    """What a checkpoint keeps, so that ``--resume`` rebuilds the same decoder and loss."""

    layer: str = LEVELS[-1]
    widths: tuple = WIDTHS
    feature_weight: float = FEATURE_WEIGHT
    crop: int = CROP
    precision: str = "float32"
    FLAGS = {"layer": "--level"}


def check_sources(sources, what):
    """Training pictures: each a folder, an image or a video that exists."""
    if not sources:
        raise NSTError(f"{what}: give at least one folder, image or video")
    for src in sources:
        if not Path(src).exists():
            raise NSTError(f"{src}: no such file or folder ({what})")
    return [Path(s) for s in sources]
