"""Applying the trained network: any input size, large ones in overlapping tiles.

The network is fully convolutional, so it takes a whole image; but a 64-filter network's
activations at 4x a photo's size outgrow memory fast: an 800x600 photo's last up_block alone holds
three 3200x2400x64 float32 tensors, 2 GB each, to make a 23 MB result. So the network runs in two
parts (``core.backend.split``): its body, at the input's size, on the whole input; its x4 tail (the
two up_blocks, the head, back-projection) in tiles of ``TAIL_TILE`` input px: the large activations
exist a tile at a time. Whole inputs too large even for that are tiled as well, by a memory estimate
made before the run (``core.tiles``). Tiles of either kind overlap by a margin wider than the
network's reach into its neighbours, and only each tile's centre is kept: no seams, and the same
result as the whole.
"""

from dataclasses import replace

import keras
import numpy as np
from PIL import Image
from scipy import ndimage

from keras_nst.core.backend import load_network, predict, split
from keras_nst.core.defaults import PRECISION
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import as_rgb

from . import layers  # noqa: F401  (registers ReflectionPadding2D and BicubicUpsampling2D for loading)
from .defaults import ALPHA_BYTES, OVERLAP, RESULT_BYTES, SCALE, SCALES, TAIL_TILE
from .options import PLAN, check_model, check_tile

TURNS = tuple((k, flip) for k in range(4) for flip in (1, -1))  # quarter turns x (as is, mirrored)


def ensemble(model, batch, turns=TURNS, *, forward=predict):
    """EDSR+ (Lim et al. 2017, 4.2): ``model``'s outputs on the batch turned each of ``turns`` ways (all
    8 flips and rotations by default), each turned back, averaged (not rounded). ``forward(model, batch)``
    runs the network."""
    return sum(np.rot90(forward(model, np.rot90(batch, k, axes=(1, 2))[:, :, ::flip])[:, :, ::flip], -k, axes=(1, 2))
               for k, flip in turns) / len(turns)


_SPLITS = {}  # id(model) -> (model, head, tail): made once per loaded network


def _parts(model):
    """(head, tail) of ``model`` cut where it starts working above the input's size (its first
    up-sampling layer's input), made once."""
    if id(model) not in _SPLITS:
        up = next(layer for layer in model.layers
                  if isinstance(layer, (keras.layers.UpSampling2D, keras.layers.Conv2DTranspose)))
        _SPLITS[id(model)] = (model, *split(model, up.input))
    return _SPLITS[id(model)][1:]


def _forward(model, batch):
    """A batch of one input -> its x4 output (float): the body on the whole input, the tail in tiles of
    ``TAIL_TILE`` px (each kept tile's margin wider than the tail's reach: the whole's result)."""
    head, tail = _parts(model)
    features = head(batch)[0]
    if max(features.shape[:2]) <= TAIL_TILE:
        return tail(features[None], batch)
    both = np.concatenate([features, np.asarray(batch[0], features.dtype)], axis=-1)
    del features
    return replace(PLAN, overlap=OVERLAP).apply(lambda part: tail(part[None, ..., :-3], part[None, ..., -3:])[0],
                                               both, tile=TAIL_TILE)[None]


def _predict(model, lr, self_ensemble=False):
    lr = np.asarray(lr, "float32")[None]
    sr = (ensemble(model, lr, forward=_forward) if self_ensemble else _forward(model, lr))[0]
    return np.clip(sr, 0, 255).round().astype(np.uint8)


def bytes_per_output_pixel():
    return PLAN.per_pixel()


def auto_tile(h, w, budget=None, *, alpha=False):
    """None if the whole ``h`` x ``w`` input fits the memory budget, else the largest tile that does
    (``alpha``: the image's transparency is upscaled too, ``upscale_alpha``)."""
    return PLAN.auto_tile(h, w, budget=budget, kept_bytes=RESULT_BYTES + (ALPHA_BYTES if alpha else 0))


def upscale(model, lr, *, tile="auto", overlap=OVERLAP, self_ensemble=False, progress=None, scale=SCALE):
    """``lr`` (H, W, 3) 0-255 -> (4H, 4W, 3) uint8; in tiles of at most ``tile`` px when given, or
    when ``tile="auto"`` and the whole image would not fit in memory. ``self_ensemble``: average
    the network's outputs over the 8 flips and rotations (8x the time, a little sharper and more
    faithful). ``progress``: a tqdm bar, advanced by one per tile. ``scale`` 2 or 3: the x4 result
    brought down to (scale H, scale W) by bicubic filtering, which keeps what the network restored."""
    if scale not in SCALES:
        raise NSTError(f"--scale {scale}: use one of {', '.join(map(str, SCALES))}")
    lr = as_rgb(lr, "the photo")
    sr = _x4(model, lr, tile, overlap, self_ensemble, progress)
    if scale == SCALE:
        return sr
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(sr).resize((w * scale, h * scale), Image.BICUBIC))


def upscale_alpha(model, alpha, **options):
    """A transparency mask (H, W) uint8 -> the same upscaled, by the network as a grey image (Real-ESRGAN's
    default for alpha): shapes' edges come out as sharp as their colours; bicubic would soften them
    (benchmarks/sr_alpha.py). ``options``: as ``upscale``'s."""
    grey = upscale(model, np.repeat(alpha[..., None], 3, axis=-1), **options)
    grey = ((grey.sum(axis=-1, dtype=np.uint16) + 1) // 3).astype(np.uint8)  # the mean, rounded: 2 B a pixel, not 16
    # where the input is flat around a pixel (wholly transparent or opaque) its value is kept exactly: on flat
    # black the perceptual network without back-projection reads 2, which would leave empty areas faintly visible
    flat = ndimage.maximum_filter(alpha, 5) == ndimage.minimum_filter(alpha, 5)
    size = grey.shape[1], grey.shape[0]
    flat, exact = (np.asarray(Image.fromarray(a).resize(size, Image.NEAREST)) for a in (flat.astype(np.uint8), alpha))
    return np.where(flat.astype(bool), exact, grey)


def _x4(model, lr, tile, overlap, self_ensemble, progress):
    h, w = lr.shape[:2]
    tile = auto_tile(h, w) if tile == "auto" else check_tile(tile)
    if not tile or max(h, w) <= tile:
        return _predict(model, lr, self_ensemble)
    return replace(PLAN, overlap=overlap).apply(lambda part: _predict(model, part, self_ensemble), lr, tile=tile,
                                               progress=progress)


def load_model(name_or_path, *, precision=PRECISION):
    """A trained x4 network (a shipped name or a .keras file) computing in ``precision`` (auto: bfloat16
    where the hardware has it), with a clear error for anything else."""
    return load_network(check_model(name_or_path), probe=8, scale=SCALE, what=f"an x{SCALE} super-resolution network",
                        precision=precision)
