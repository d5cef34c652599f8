"""Harmonization's inputs, checked without Keras: the terms' weights of a ``--style-level``, the
object's mask and its dilation, the composite against the painting, and pasting an object into a
painting (so no image editor is needed). The command line and the web tab call these before the
backend loads, ``harmonize`` again for callers from Python."""

from dataclasses import dataclass

import numpy as np
from PIL import Image
from scipy import ndimage

from ..core.errors import NSTError
from ..core.image_io import as_rgb, as_uint8, load_mask, load_with_alpha
from .defaults import HARMONIZE_MAX_MASK, HARMONIZE_TV_WEIGHT, POSTS, STYLE_LEVELS


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


def check_post(post):
    if post not in POSTS:
        raise NSTError(f"--post {post}: use {', '.join(POSTS)}")
    return post


def dilate(mask, px):
    """The object's mask (H, W; 0-1) grown by ``px`` pixels: the region the passes repaint, so that
    the object's edge is painted over too (the paper's dilated mask)."""
    inside = np.asarray(mask) > 0.5
    return inside if px <= 0 else ndimage.distance_transform_edt(~inside) <= px


def check_dilate(px):
    """``--dilate``: None (the default share of the picture) or 0 or more px."""
    if px is not None and not px >= 0:  # NaN too
        raise NSTError(f"--dilate {px}: 0 or more px")
    return px


def check_composite(painting, composite, what="the composite"):
    """The composite is the painting with the object pasted in: the two of one size (``what``: how
    the composite is named to the user)."""
    (ph, pw), (ch, cw) = painting.shape[:2], composite.shape[:2]
    if (ph, pw) != (ch, cw):
        raise NSTError(f"{what}: {cw}x{ch} px, the painting {pw}x{ph}: the composite must be the painting with the "
                       "object pasted in, at the same size")
    return composite


def check_mask(mask, what="--mask"):
    """A one-line error for a mask that leaves nothing to harmonize or nothing of the painting."""
    share = float((np.asarray(mask) > 0.5).mean())
    if share == 0:
        raise NSTError(f"{what}: empty (no white pixels): mark the pasted object in white")
    if share > HARMONIZE_MAX_MASK:
        raise NSTError(f"{what}: covers {share:.0%} of the picture; the painting's style comes from the "
                       f"rest, so at most {HARMONIZE_MAX_MASK:.0%} may be marked")
    return mask


def read_object(path, mask=None, *, mask_name="--object-mask", hint="or the photo with --object-mask"):
    """The object to paste as RGBA, read by the project's loader (EXIF rotation, 16 bits, colour
    profiles, oversized files): its own transparency, or ``mask`` (an image of the object's shape,
    white = the object) marks it. A photo with neither is refused (``hint``: what to give instead)."""
    rgb, alpha = load_with_alpha(path, min_side=1)
    if mask is not None:
        alpha = (load_mask(mask, rgb.shape, mask_name) * 255).round().astype(np.uint8)
    elif alpha is None:
        raise NSTError(f"{path}: no transparency (every pixel is opaque); give a cut-out (a PNG whose background is "
                       f"transparent), {hint}")
    return np.dstack([rgb, alpha])


def compose(painting, obj, *, at=None, scale=1.0, object_mask=None, words=None):
    """``obj`` (RGBA, or RGB with ``object_mask``) pasted into ``painting``: its centre at ``at``
    (x, y px of the painting; default its centre), scaled by ``scale``. Returns (composite, mask).
    ``words``: how messages name the placement (``at``, ``scale``, ``object``; default the command
    line's flags with these values), so each face speaks its own words."""
    said = {"at": f"--at {at[0]},{at[1]}" if _pair(at) else f"--at {at}",  # the command line's words by default
            "scale": f"--scale {scale:g}" if isinstance(scale, (int, float)) else f"--scale {scale}",
            "object": "--object", **(words or {})}
    painting = as_rgb(painting, "the painting")
    h, w = painting.shape[:2]
    obj = np.asarray(obj)
    if obj.ndim != 3 or obj.shape[2] not in (3, 4) or not obj.size:
        raise NSTError(f"{said['object']}: an (H, W, 4) RGBA cut-out or an (H, W, 3) photo with a mask, got shape "
                       f"{obj.shape}")
    obj = as_uint8(obj, said["object"])
    if object_mask is not None:
        m = np.asarray(object_mask)
        m = as_uint8(m if m.ndim == 2 else m[..., 0], "the object's mask")
        alpha = np.asarray(Image.fromarray(m).resize(obj.shape[1::-1]))
    elif obj.shape[2] == 4 and obj[..., 3].min() < 255:
        alpha = obj[..., 3]
    else:
        raise NSTError(f"{said['object']}: no transparency; give a cut-out with a transparent background, or a "
                       "photo and its mask")
    if not (alpha > 127).any():
        raise NSTError(f"{said['object']}: the object's mask is empty (fully transparent)")
    if not (isinstance(scale, (int, float)) and np.isfinite(scale) and scale > 0):
        raise NSTError(f"{said['scale']}: a number > 0")
    if at is not None and not (_pair(at) and all(isinstance(v, (int, float, np.integer, np.floating))
                                                and np.isfinite(v) for v in at)):
        raise NSTError(f"at={at!r}: the object's centre as two numbers (x, y) in px of the painting")
    ow, oh = max(1, round(obj.shape[1] * scale)), max(1, round(obj.shape[0] * scale))
    if ow > w or oh > h:
        raise NSTError(f"{said['object']} at {said['scale']} is larger than the painting: make it smaller")
    cx, cy = (w // 2, h // 2) if at is None else at
    x0, y0 = round(cx - ow / 2), round(cy - oh / 2)
    if x0 < 0 or y0 < 0 or x0 + ow > w or y0 + oh > h:
        raise NSTError(f"{said['at']}: the object would reach outside the painting; place its centre further in, "
                       f"or make it smaller ({said['scale']})")
    rgb = np.asarray(Image.fromarray(obj[..., :3]).resize((ow, oh), Image.LANCZOS))
    a = np.asarray(Image.fromarray(alpha).resize((ow, oh), Image.LANCZOS), "float32")[..., None] / 255
    composite = painting.astype("float32").copy()
    composite[y0:y0 + oh, x0:x0 + ow] = a * rgb + (1 - a) * composite[y0:y0 + oh, x0:x0 + ow]
    mask = np.zeros((h, w), "float32")
    mask[y0:y0 + oh, x0:x0 + ow] = a[..., 0]
    return composite.round().astype(np.uint8), mask


def _pair(at):
    return isinstance(at, (tuple, list, np.ndarray)) and len(at) == 2
