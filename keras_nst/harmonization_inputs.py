"""Harmonization's inputs, checked without Keras: the terms' weights of a ``--style-level``, the
object's mask and its dilation, and pasting an object into a painting (so no image editor is
needed). The command line calls these before the backend loads."""

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from .core.errors import NSTError
from .defaults import HARMONIZE_MAX_MASK, HARMONIZE_TV_WEIGHT, STYLE_LEVELS


@dataclass(frozen=True)
class Weights:
    """The terms' weights of one ``--style-level`` (``STYLE_LEVELS``)."""

    style: float
    histogram: float
    content: float = 1.0
    tv: float = HARMONIZE_TV_WEIGHT


def level_weights(level):
    if level not in STYLE_LEVELS:
        raise NSTError(f"--style-level {level}: use a whole number from {min(STYLE_LEVELS)} to {max(STYLE_LEVELS)}")
    return Weights(*STYLE_LEVELS[level])


def dilate(mask, px):
    """The object's mask (H, W; 0-1) grown by ``px`` pixels: the region the passes repaint, so that
    the object's edge is painted over too (the paper's dilated mask)."""
    inside = np.asarray(mask) > 0.5
    return inside if px <= 0 else ndimage.distance_transform_edt(~inside) <= px


def check_mask(mask, what="--mask"):
    """A one-line error for a mask that leaves nothing to harmonize or nothing of the painting."""
    share = float((np.asarray(mask) > 0.5).mean())
    if share == 0:
        raise NSTError(f"{what}: the mask is empty (no white pixels): mark the pasted object in white")
    if share > HARMONIZE_MAX_MASK:
        raise NSTError(f"{what}: the mask covers {share:.0%} of the picture; the painting's style comes from the "
                       f"rest, so at most {HARMONIZE_MAX_MASK:.0%} may be marked")
    return mask


def compose(painting, obj, *, at=None, scale=1.0, object_mask=None):
    """``obj`` (RGBA, or RGB with ``object_mask``) pasted into ``painting``: its centre at ``at``
    (x, y px of the painting; default its centre), scaled by ``scale``. Returns (composite, mask)."""
    painting = np.asarray(painting)
    h, w = painting.shape[:2]
    obj = np.asarray(obj)
    if object_mask is not None:
        alpha = np.asarray(Image.fromarray(np.asarray(object_mask)).convert("L").resize(obj.shape[1::-1]))
    elif obj.ndim == 3 and obj.shape[2] == 4:
        alpha = obj[..., 3]
    else:
        raise NSTError("--object: give a cut-out with transparency (RGBA PNG), or a photo and --object-mask")
    if not (alpha > 127).any():
        raise NSTError("--object: the object's mask is empty (fully transparent)")
    if not (np.isfinite(scale) and scale > 0):
        raise NSTError(f"--scale {scale}: a number > 0")
    ow, oh = max(1, round(obj.shape[1] * scale)), max(1, round(obj.shape[0] * scale))
    if ow > w or oh > h:
        raise NSTError(f"--object at --scale {scale:g} is {ow}x{oh} px, larger than the {w}x{h} painting: "
                       "use a smaller --scale")
    cx, cy = (w // 2, h // 2) if at is None else at
    x0, y0 = round(cx - ow / 2), round(cy - oh / 2)
    if x0 < 0 or y0 < 0 or x0 + ow > w or y0 + oh > h:
        raise NSTError(f"--at {cx},{cy}: the {ow}x{oh} px object would reach outside the {w}x{h} painting; "
                       "place its centre further in, or use a smaller --scale")
    rgb = np.asarray(Image.fromarray(obj[..., :3]).resize((ow, oh), Image.LANCZOS))
    a = np.asarray(Image.fromarray(alpha).resize((ow, oh), Image.LANCZOS), "float32")[..., None] / 255
    composite = painting.astype("float32").copy()
    composite[y0:y0 + oh, x0:x0 + ow] = a * rgb + (1 - a) * composite[y0:y0 + oh, x0:x0 + ow]
    mask = np.zeros((h, w), "float32")
    mask[y0:y0 + oh, x0:x0 + ow] = a[..., 0]
    return composite.round().astype(np.uint8), mask

