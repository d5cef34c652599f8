"""Lesson 9's artistic controls side by side: content | style | result, one row per flag.

``python -m keras_nst controls --content C --style S --style2 S2 --out controls.png`` runs
``style_transfer`` once per control (colour preservation both ways, style scale, total variation,
start image, two styles blended, a mask, one style per half) on the same seed, so each row differs
from the first by that one flag. The masks are made here: the left half, and a soft-edged one.
"""

import numpy as np
from PIL import Image

from ..core.image_io import resize


def _masks(h, w):
    left = np.zeros((h, w), "float32")
    left[:, : w // 2] = 1
    soft = np.clip((np.arange(w) - 0.3 * w) / (0.4 * w), 0, 1)[None].repeat(h, 0).astype("float32")
    return left, soft


def controls(content, style, style2, *, size, iters, seed=0, weights="auto"):
    """[(title, style panel, result)] for the baseline and each control."""
    from .experiments import style_transfer

    c = resize(content, size)
    left, soft = _masks(*c.shape[:2])
    rows = [("no flag (baseline)", {}), ("--preserve-color luminance", dict(preserve_color="luminance")),
            ("--preserve-color histogram", dict(preserve_color="histogram")),
            ("--style-scale 2", dict(style_scale=2.0)), ("--style-scale 0.5", dict(style_scale=0.5)),
            ("--tv-weight 1", dict(tv_weight=1.0)), ("--init content", dict(init="content")),
            ("--init noise --init-blur 4", dict(init_blur=4.0)),
            ("--mask (black left, ramp, white right)", dict(mask=soft)),
            ("--style S S2 --style-blend 0.5 0.5", dict(style=[style, style2], style_blend=[0.5, 0.5])),
            ("--style S S2 --style-masks left right", dict(style=[style, style2], style_masks=[left, 1 - left]))]
    out = []
    for title, flags in rows:
        styles = flags.pop("style", style)
        result = style_transfer(c, styles, size=size, iters=iters, seed=seed, weights=weights, **flags)
        panel = styles if isinstance(styles, np.ndarray) else _side_by_side([resize(s, size // 2) for s in styles])
        out.append((title, panel, result.image))
        print(f"{title}: final loss {result.losses[-1]:.4g}" if result.losses else title)
    return out


def _side_by_side(images):
    h = min(im.shape[0] for im in images)
    same = [np.asarray(Image.fromarray(im).resize((round(im.shape[1] * h / im.shape[0]), h))) for im in images]
    return np.concatenate(same, axis=1)


def save_controls(path, content, rows, *, overwrite=True):
    from ..core.plots import check_figure, figure, image_grid, save_figure

    path = check_figure(path)
    fig = figure(figsize=(9, 2.6 * len(rows)))
    image_grid(fig, [[content, s, r] for _, s, r in rows], [["content", "style", t] for t, _, _ in rows])
    return save_figure(fig, path, dpi=80, overwrite=overwrite)
