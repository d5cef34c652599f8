"""The Python API's ``style_transfer``: image arrays of any usual kind converted, a bad one named."""

import numpy as np
import pytest

from keras_nst.core.errors import NSTError

from helpers import skimage_rgb


def test_the_api_converts_image_arrays_or_names_the_argument(vgg):
    from keras_nst import style_transfer

    photo = skimage_rgb("chelsea", (48, 32))
    rgba = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    grey = photo.mean(axis=2)
    a = style_transfer(rgba, grey.astype(np.uint8), size=48, iters=1)
    b = style_transfer(photo.astype("float32") / 255, skimage_rgb("coffee", (48, 32)) / 255.0, size=48, iters=1)
    assert a.image.shape == b.image.shape == (32, 48, 3) and b.image.mean() > 30  # 0-1 floats: not a black result
    with pytest.raises(NSTError, match="an RGB image array"):
        style_transfer(np.zeros((32, 48, 2)), photo, size=48, iters=1)
    with pytest.raises(NSTError, match="NaN"):
        style_transfer(np.full((32, 48, 3), np.nan), photo, size=48, iters=1)
