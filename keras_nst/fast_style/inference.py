"""Lesson 9's payoff: any photo in the style of one painting, in one forward pass of a trained
transform net, at any size (``core.tiles``: large photos in cross-faded tiles)."""

from dataclasses import replace

import numpy as np
from PIL import Image

from ..core.backend import load_network, predict
from ..core.colors import keep_luminance
from ..core.defaults import PRECISION
from ..core.errors import NSTError
from ..core.image_io import as_rgb, resize
from .defaults import OVERLAP, SIZE
from .model import reach
from .options import PLAN, REGISTRY


def _predict(model, photo):
    return predict(model, np.asarray(photo, "float32")[None])[0]


def auto_tile(h, w, budget=None):
    """None if the whole ``h`` x ``w`` photo fits the memory budget, else the largest tile side that does."""
    return PLAN.auto_tile(h, w, budget=budget)


def working_size(h, w, size=None):
    """The longer side the network runs at for a ``h`` x ``w`` photo (None: as it is). ``size`` None:
    ``SIZE`` for a larger photo, never enlarging; 0: as it is; N: N px, enlarging too."""
    if size is None:
        return SIZE if max(h, w) > SIZE else None
    return None if size == 0 or size == max(h, w) else size


def stylize(model, photo, *, size=0, keep_size=False, preserve_color=None, tile="auto", overlap=OVERLAP,
            progress=None):
    """``photo`` (H, W, 3) 0-255 -> the stylised uint8 image. ``size``: the longer side in px the network
    runs at, the photo resized to it first (Lanczos), so strokes are the same size on any photo (0: the
    photo's own size; None: ``working_size``'s default); the result has that size unless ``keep_size``.
    ``preserve_color="luminance"``: the photo's colours kept. Too large for memory (``tile="auto"``) or
    larger than ``tile`` px: overlapping tiles, cross-faded over ``overlap`` px so that no seam shows
    where instance normalisation's statistics differ between tiles."""
    if preserve_color not in (None, "luminance"):
        raise NSTError(f"preserve_color={preserve_color!r}: use 'luminance' or None")
    photo = as_rgb(photo, "the photo", keep_float=True)
    h, w = photo.shape[:2]
    side = working_size(h, w, size)
    work = resize(photo, side) if side else photo
    out, reference = _stylize(model, work, tile, overlap, progress), work
    if keep_size and out.shape[:2] != (h, w):
        out, reference = np.asarray(Image.fromarray(out).resize((w, h), Image.LANCZOS)), photo
    return keep_luminance(out, reference) if preserve_color else out


def _stylize(model, photo, tile, overlap, progress):
    photo = np.asarray(photo, "float32")
    h, w = photo.shape[:2]
    pad = max(0, reach(model) + 1 - min(h, w))  # mirror padding needs a photo wider than the pad
    if pad:
        photo = np.pad(photo, [(0, pad), (0, pad), (0, 0)], mode="symmetric")
    tile = auto_tile(*photo.shape[:2]) if tile == "auto" else tile
    if not tile or max(photo.shape[:2]) <= tile:
        out = _predict(model, photo)
    else:
        out = replace(PLAN, overlap=overlap).apply(lambda part: _predict(model, part), photo, tile=tile,
                                                  progress=progress)
    return np.clip(out[:h, :w], 0, 255).round().astype(np.uint8)


def load_style_model(name_or_path, *, precision=PRECISION):
    """A trained transform net (a shipped name or a .keras file) computing in ``precision`` (auto:
    bfloat16 where the hardware has it), with a clear error for anything else."""
    return load_network(REGISTRY.path(name_or_path), probe=64, scale=1, what="an image transform network",
                        precision=precision)
