"""Lesson 8's losses and lesson 9's artistic controls checked without Keras: one function for the
terms' weights and the controls, one for a clip's settings. The command line calls them before
Keras loads, the web tab on every click, ``style_transfer`` and ``style_transfer_video`` for callers
from Python; each problem is one ``NSTError`` naming the flag."""

import math
import numbers

from ..core.defaults import STYLE_STATS
from ..core.errors import NSTError, blend_weights, check_weight
from ..core.runs import positive
from .defaults import CONTENT_WEIGHT, NOISE_BLUR, PRESERVE_COLORS, TV_WEIGHT


def check_controls(*, styles=1, style_blend=None, preserve_color=None, style_scale=1.0, init_blur=0.0,
                   content_weight=CONTENT_WEIGHT, tv_weight=TV_WEIGHT, noise_blur=NOISE_BLUR, style_masks=None,
                   style_stat=STYLE_STATS[0]):
    """The terms' weights (finite, >= 0), ``style_blend`` (one weight per style of ``styles``),
    ``preserve_color`` (``PRESERVE_COLORS`` or None), ``style_scale`` (> 0) and ``style_masks``
    (one per style, whole Gram matrices only)."""
    for value, flag in ((content_weight, "--content-weight"), (tv_weight, "--tv-weight"),
                        (noise_blur, "--noise-blur"), (init_blur, "--init-blur")):
        check_weight(value, flag)
    if styles or style_blend is not None:  # a content reconstruction has no style to blend
        blend_weights(style_blend, styles)
    if preserve_color not in (None, *PRESERVE_COLORS):
        raise NSTError(f"unknown --preserve-color '{preserve_color}': use {' or '.join(PRESERVE_COLORS)}")
    if not (isinstance(style_scale, numbers.Real) and math.isfinite(style_scale) and style_scale > 0):
        raise NSTError(f"--style-scale must be a finite number > 0, got {style_scale}")
    if style_masks is not None:
        if style_stat != STYLE_STATS[0]:
            raise NSTError(f"--style-masks match whole Gram matrices: leave --style-stat at {STYLE_STATS[0]}")
        if len(style_masks) != styles:
            raise NSTError(f"{styles} --style images but {len(style_masks)} --style-masks: give one mask per style")


def check_video(*, temporal_weight, frames=None):
    """A clip's own settings: the temporal term's weight (>= 0; 0 paints every frame on its own) and
    the frames to paint (None: all). Returns the weight."""
    weight = check_weight(temporal_weight, "--temporal-weight")
    if frames is not None:
        positive(frames, "--frames", integer=True)
    return weight
