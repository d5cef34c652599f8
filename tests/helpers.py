"""Helpers the tests share (plain functions; fixtures live in conftest)."""

import numpy as np
from PIL import Image


def skimage_rgb(name, size=None):
    import skimage.data

    img = getattr(skimage.data, name)()
    if size:
        img = np.asarray(Image.fromarray(img).resize(size, Image.LANCZOS))
    return img
