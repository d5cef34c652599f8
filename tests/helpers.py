"""Helpers the tests share (plain functions; fixtures live in conftest)."""

from pathlib import Path

import numpy as np
from PIL import Image

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"  # the course data beside the checkout


def skimage_rgb(name, size=None):
    import skimage.data

    img = getattr(skimage.data, name)()
    if size:
        img = np.asarray(Image.fromarray(img).resize(size, Image.LANCZOS))
    return img


def prepare_tiny(tmp_path_factory, chunklen):
    """Four scikit-image photos prepared as 16 and 64 px crops (4 each): a tiny training set."""
    from super_res.prepare import prepare

    src = tmp_path_factory.mktemp("photos")
    for name in ("chelsea", "coffee", "astronaut", "rocket"):
        Image.fromarray(skimage_rgb(name)).save(src / f"{name}.jpg")
    out = tmp_path_factory.mktemp("data") / "prepared"
    prepare(src, out, sizes=(16, 64), workers=1, crops_per_image=4, chunklen=chunklen, seed=0)
    return out
