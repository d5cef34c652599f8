"""Applying the trained network: any input size, large ones in overlapping tiles.

The network is fully convolutional, so it takes a whole image; but a 64-filter network's
activations at 4x a photo's size outgrow memory fast (2.6-3.5 KB an output pixel). Memory is
estimated before the run and inputs are tiled automatically to fit; tiles overlap by a margin wider
than the network's reach into its neighbours, and only each tile's centre is kept: no seams.
"""

import numpy as np
from PIL import Image
from scipy import ndimage

from keras_nst.core import memory
from keras_nst.core.backend import for_backend, load_network, predict
from keras_nst.core.errors import NSTError

from . import layers  # noqa: F401  (registers ReflectionPadding2D and BicubicUpsampling2D for loading)
from .defaults import MIN_TILE, OVERLAP, SCALE, SCALES
from .options import check_model, check_tile

# peak memory a forward pass (core.backend.predict) adds per output pixel, by backend: the shipped
# 16-block network at 800 and 1600 px out, CPU, 630-1420 B measured (benchmarks/inference_bench.py),
# rounded up; the eager model(x) it replaced took 2.9-4.5 KB. Tiles are planned alike: their fixed
# cost (~0.1-0.4 GB, compiling) sits in the half of the memory the budget leaves free
# measured peaks: 760 / 970 / 1413 on AVX2, TF 995-1033 and torch 1052-1100 on AVX-512 (oneDNN buffers)
BYTES_PER_OUTPUT_PIXEL = {"tensorflow": 1300, "torch": 1300, "jax": 1800}
RESULT_BYTES = 3  # per output pixel, kept all along: the RGB result (576 MB for a 4000x3000 input)
ALPHA_BYTES = 10  # more with transparency: its grey result (3), their sum and mean (4), the alpha, mask, exact (3)
TURNS = tuple((k, flip) for k in range(4) for flip in (1, -1))  # quarter turns x (as is, mirrored)


def ensemble(model, batch, turns=TURNS):
    """EDSR+ (Lim et al. 2017, 4.2): ``model``'s outputs on the batch turned each of ``turns`` ways (all
    8 flips and rotations by default), each turned back, averaged (not rounded)."""
    return sum(np.rot90(predict(model, np.rot90(batch, k, axes=(1, 2))[:, :, ::flip])[:, :, ::flip], -k, axes=(1, 2))
               for k, flip in turns) / len(turns)


def _predict(model, lr, self_ensemble=False):
    sr = (ensemble(model, lr[None]) if self_ensemble else predict(model, lr[None]))[0]
    return np.clip(sr, 0, 255).round().astype(np.uint8)


def bytes_per_output_pixel():
    return for_backend(BYTES_PER_OUTPUT_PIXEL)


def auto_tile(h, w, budget=None, *, alpha=False):
    """None if the whole ``h`` x ``w`` input fits the memory budget, else the largest tile that does
    (``alpha``: the image's transparency is upscaled too, ``upscale_alpha``)."""
    total = memory.budget() if budget is None else budget
    per_pixel = bytes_per_output_pixel()
    kept = h * w * SCALE * SCALE * (RESULT_BYTES + (ALPHA_BYTES if alpha else 0))
    budget = total - kept
    if h * w * SCALE * SCALE * per_pixel <= budget:
        return None
    side = int((max(budget, 0) / (per_pixel * SCALE * SCALE)) ** 0.5)
    if side < MIN_TILE:
        raise NSTError(f"not enough memory to upscale even in tiles ({total / 1e9:.1f} GB can be used, "
                       f"{kept / 1e9:.1f} GB of it for the {w * SCALE}x{h * SCALE} result)")
    return side


def upscale(model, lr, *, tile="auto", overlap=OVERLAP, self_ensemble=False, progress=None, scale=SCALE):
    """``lr`` (H, W, 3) 0-255 -> (4H, 4W, 3) uint8; in tiles of at most ``tile`` px when given, or
    when ``tile="auto"`` and the whole image would not fit in memory. ``self_ensemble``: average
    the network's outputs over the 8 flips and rotations (8x the time, a little sharper and more
    faithful). ``progress``: a tqdm bar, advanced by one per tile. ``scale`` 2 or 3: the x4 result
    brought down to (scale H, scale W) by bicubic filtering, which keeps what the network restored."""
    if scale not in SCALES:
        raise NSTError(f"--scale {scale}: use one of {', '.join(map(str, SCALES))}")
    sr = _x4(model, lr, tile, overlap, self_ensemble, progress)
    if scale == SCALE:
        return sr
    h, w = lr.shape[:2]
    return np.asarray(Image.fromarray(sr).resize((w * scale, h * scale), Image.BICUBIC))


def upscale_alpha(model, alpha, **options):
    """A transparency mask (H, W) uint8 -> the same upscaled, by the network as a grey image (Real-ESRGAN's
    default for alpha): shapes' edges come out as sharp as their colours; bicubic would soften them
    (4-8 dB lower PSNR on random shapes at x4: benchmarks/sr_alpha.py). ``options``: as ``upscale``'s."""
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
    step = tile - 2 * overlap
    out = np.empty((h * SCALE, w * SCALE, 3), np.uint8)
    if progress is not None:
        progress.total = (progress.total or 0) + len(range(0, h, step)) * len(range(0, w, step))
    for y in range(0, h, step):
        for x in range(0, w, step):
            y0, x0 = max(0, y - overlap), max(0, x - overlap)
            y1, x1 = min(h, y + step + overlap), min(w, x + step + overlap)
            sr = _predict(model, lr[y0:y1, x0:x1], self_ensemble)
            ys, xs = (y - y0) * SCALE, (x - x0) * SCALE
            core_h, core_w = (min(h, y + step) - y) * SCALE, (min(w, x + step) - x) * SCALE
            out[y * SCALE:y * SCALE + core_h, x * SCALE:x * SCALE + core_w] = sr[ys:ys + core_h, xs:xs + core_w]
            del sr
            memory.release()
            if progress is not None:
                progress.update()
    return out


def load_model(name_or_path):
    """A trained x4 network (a shipped name or a .keras file), with a clear error for anything else."""
    return load_network(check_model(name_or_path), probe=8, scale=SCALE, what=f"a x{SCALE} super-resolution network")
