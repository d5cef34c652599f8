"""Applying the trained network: any input size, large ones in overlapping tiles.

The network is fully convolutional, so it takes a whole image; but activations of a 64-filter
network at 4x a large photo's size don't fit every GPU (or CPU). Tiles overlap by a margin wider than
the network's reach into its neighbours, and only each tile's centre is kept: no seams.
"""

from pathlib import Path

import keras
import numpy as np

from keras_nst.errors import NSTError

from .layers import ReflectionPadding2D  # noqa: F401  (registered for deserialisation)

SCALE = 4
MIN_SIDE = 5  # the 9x9 convs mirror-pad 4 px, which needs more than 4 px to mirror


def _predict(model, lr):
    sr = model(np.asarray(lr, "float32")[None], training=False)
    return np.clip(keras.ops.convert_to_numpy(sr)[0], 0, 255).round().astype(np.uint8)


def upscale(model, lr, tile=None, overlap=16):
    """``lr`` (H, W, 3) 0-255 -> (4H, 4W, 3) uint8; with ``tile``, in tiles of at most ``tile`` px."""
    h, w = lr.shape[:2]
    if not tile or max(h, w) <= tile:
        return _predict(model, lr)
    if tile <= 2 * overlap:
        raise NSTError(f"--tile {tile} must exceed twice the overlap ({overlap} px)")
    step = tile - 2 * overlap
    out = np.empty((h * SCALE, w * SCALE, 3), np.uint8)
    for y in range(0, h, step):
        for x in range(0, w, step):
            y0, x0 = max(0, y - overlap), max(0, x - overlap)
            y1, x1 = min(h, y + step + overlap), min(w, x + step + overlap)
            sr = _predict(model, lr[y0:y1, x0:x1])
            ys, xs = (y - y0) * SCALE, (x - x0) * SCALE
            core_h, core_w = (min(h, y + step) - y) * SCALE, (min(w, x + step) - x) * SCALE
            out[y * SCALE:y * SCALE + core_h, x * SCALE:x * SCALE + core_w] = sr[ys:ys + core_h, xs:xs + core_w]
    return out


def load_model(path):
    """A trained x4 network from a .keras file, with a clear error for anything else."""
    path = Path(path)
    if not path.is_file():
        raise NSTError(f"{path}: no such model file")
    try:
        return keras.saving.load_model(path)
    except Exception as e:  # Keras raises assorted types for files that aren't its models
        raise NSTError(f"{path}: not a Keras model this tool can load ({type(e).__name__}: {e})") from None
