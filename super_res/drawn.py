"""Drawn images for super-resolution training: text, shapes and flat fills, as slides, screenshots
and comics are made.

The training photos (sun_hays80, urban100) hold no drawn content, yet users upscale screenshots,
logos and scanned comics, where bicubic's blur of hard edges and small glyphs is worst. This writes
``--count`` such pictures (``--size`` px, PNG, each written atomically, never over a file) to a new
folder, to ``super_res prepare`` beside the photos. Fonts are the DejaVu faces matplotlib ships,
so nothing is downloaded. Words are random letters: no text is learnt, only glyph shapes.

    python -m super_res drawn --out /tmp/drawn --count 45 --seed 0
"""

from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import save_image

FONTS = sorted((Path(matplotlib.get_data_path()) / "fonts" / "ttf").glob("DejaVu*.ttf"))
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,:;!?()-"


def _colour(rng, dark=None):
    """A random RGB colour; ``dark`` True/False keeps its mean below/above mid-grey (text on a background)."""
    c = rng.integers(0, 256, 3)
    if dark is not None and (c.mean() < 128) != dark:
        c = 255 - c
    return tuple(int(v) for v in c)


def _background(rng, size):
    """Flat (most slides and comics) or a linear gradient (title bars, buttons)."""
    a, b = np.array(_colour(rng, dark=False)), np.array(_colour(rng, dark=rng.random() < 0.2))
    if rng.random() < 0.6:
        return Image.new("RGB", (size, size), tuple(int(v) for v in a))
    t = np.linspace(0, 1, size)[:, None, None] * np.ones((1, size, 1))
    grad = a + (b - a) * (t if rng.random() < 0.5 else t.transpose(1, 0, 2))
    return Image.fromarray(grad.round().astype(np.uint8))


def _words(rng, n):
    return " ".join("".join(rng.choice(list(LETTERS), rng.integers(1, 9))) for _ in range(n))


def drawn(rng, size=512):
    """One picture: a background, then shapes (outlined or flat, as comics), then lines of text."""
    im = _background(rng, size)
    light = np.asarray(im).mean() > 128
    draw = ImageDraw.Draw(im)
    for _ in range(rng.integers(2, 9)):
        box = np.sort(rng.integers(-size // 4, size + size // 4, (2, 2)), axis=0).ravel().tolist()
        width = int(rng.integers(1, 7))
        fill = _colour(rng) if rng.random() < 0.7 else None
        outline = _colour(rng, dark=True) if rng.random() < 0.6 else None
        shape = rng.integers(4)
        if shape == 0:
            draw.rectangle(box, fill=fill, outline=outline, width=width)
        elif shape == 1:
            draw.ellipse(box, fill=fill, outline=outline, width=width)
        elif shape == 2:
            draw.polygon([tuple(p) for p in rng.integers(0, size, (rng.integers(3, 7), 2)).tolist()],
                         fill=fill, outline=outline, width=width)
        else:
            draw.line(rng.integers(0, size, (rng.integers(2, 5), 2)).ravel().tolist(), fill=_colour(rng), width=width)
    for _ in range(rng.integers(3, 14)):
        font = ImageFont.truetype(str(FONTS[rng.integers(len(FONTS))]), int(rng.choice([9, 11, 12, 14, 16, 20, 24,
                                                                                            32, 44, 60])))
        xy = tuple(int(v) for v in rng.integers(-20, size - 20, 2))
        draw.text(xy, _words(rng, rng.integers(1, 8)), font=font, fill=_colour(rng, dark=light))
    return np.asarray(im)


def check(out, *, count, size):
    if count < 1 or size < 64:
        raise NSTError(f"--count {count} --size {size}: give at least 1 picture of at least 64 px")
    if Path(out).exists():
        raise NSTError(f"--out {out}: give a new folder (an existing one is never written into)")


def write_drawn(out, *, count=45, size=512, seed=0):
    """``count`` pictures of ``size`` px as PNGs in the new folder ``out``, reproducible by ``seed``."""
    check(out, count=count, size=size)
    out = Path(out)
    out.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        save_image(out / f"drawn{i:04d}.png", drawn(rng, size))
    return out
