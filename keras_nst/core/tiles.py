"""Lesson 9's feed-forward networks on photos of any size: memory planned before the run, large
photos in overlapping tiles.

A fully convolutional network takes a whole photo, but its activations grow with the photo, so each
task states what a forward pass costs per output pixel on each backend (measured by
``benchmarks/inference_bench.py``) and ``TilePlan`` tiles only when the whole would not fit. Two ways
to join tiles: keep each tile's centre, its margin wider than the network's reach (exact: super-
resolution), or cross-fade neighbours over their overlap (fast style, whose instance normalisation
sees different statistics in each tile, so no tile's centre equals the whole's).
"""

from dataclasses import dataclass

import numpy as np

from . import memory
from .errors import NSTError

# the smallest photo side a feed-forward network takes: both networks' 9x9 convs mirror-pad 4 px,
# which needs more than 4 px to mirror (fast style pads small photos itself, but a 1 px photo is no picture)
MIN_SIDE = 5


def _ramp(n, overlap, first, last):
    """Blending weights along one axis of a tile: rising over the overlap unless at the image's edge."""
    r = np.ones(n, "float32")
    ramp = (np.arange(overlap, dtype="float32") + 0.5) / overlap
    if not first:
        r[:overlap] = ramp
    if not last:
        r[n - overlap:] = ramp[::-1]
    return r


@dataclass(frozen=True)
class TilePlan:
    """How one task's network meets a photo: ``bytes_per_pixel`` (backend -> peak bytes a forward
    pass adds per output pixel), ``kept_bytes`` (per output pixel held all along: the result),
    ``scale`` (output px per input px), ``overlap`` (input px shared by neighbouring tiles: a margin
    on each side, or, with ``blend``, a cross-fade), ``min_tile`` and ``verb`` for messages."""

    verb: str
    bytes_per_pixel: dict
    overlap: int
    min_tile: int
    scale: int = 1
    kept_bytes: int = 0
    blend: bool = False

    def per_pixel(self):
        """This process's backend's figure (the largest for a backend the table does not name)."""
        import keras

        return self.bytes_per_pixel.get(keras.backend.backend(), max(self.bytes_per_pixel.values()))

    def check_tile(self, tile):
        if tile not in (None, "auto") and tile < self.min_tile:
            raise NSTError(f"--tile {tile} is too small: at least {self.min_tile} px (tiles overlap by "
                           f"{self.overlap} px), e.g. --tile 256, or leave it out")
        return tile

    def auto_tile(self, h, w, *, budget=None, kept_bytes=None):
        """None if the whole ``h`` x ``w`` input fits the memory budget, else the largest tile side that does."""
        total = memory.budget() if budget is None else budget
        out_px = h * w * self.scale ** 2
        kept = out_px * (self.kept_bytes if kept_bytes is None else kept_bytes)
        room, per_pixel = total - kept, self.per_pixel()
        if out_px * per_pixel <= room:
            return None
        side = int((max(room, 0) / (per_pixel * self.scale ** 2)) ** 0.5)
        if side < self.min_tile:
            held = f", {kept / 1e9:.1f} GB of it for the {w * self.scale}x{h * self.scale} result" if kept else ""
            raise NSTError(f"not enough memory to {self.verb} even in tiles ({total / 1e9:.1f} GB can be used{held})")
        return side

    def apply(self, fn, image, *, tile, progress=None):
        """``fn`` (a tile -> its output, ``scale`` x larger) over overlapping tiles of at most ``tile`` px
        of ``image`` (H, W, C). ``progress``: a tqdm bar, advanced by one per tile."""
        self.check_tile(tile)
        h, w = image.shape[:2]
        s, overlap = self.scale, self.overlap
        if self.blend:  # tiles of ``tile`` px, neighbours sharing ``overlap``
            spans = lambda n: [(a, min(n, a + tile)) for a in range(0, max(1, n - overlap), tile - overlap)]
        else:  # kept cores of ``tile - 2 overlap`` px, each read with ``overlap`` px around it
            spans = lambda n: [(a, min(n, a + tile - 2 * overlap)) for a in range(0, n, tile - 2 * overlap)]
        ys, xs = spans(h), spans(w)
        if progress is not None:
            progress.total = (progress.total or 0) + len(ys) * len(xs)
        out = total = None
        for y0, y1 in ys:
            for x0, x1 in xs:
                if self.blend:
                    part = fn(image[y0:y1, x0:x1])
                    if out is None:
                        out = np.zeros((h * s, w * s, part.shape[-1]), "float32")
                        total = np.zeros((h * s, w * s, 1), "float32")
                    weight = np.outer(_ramp((y1 - y0) * s, overlap * s, y0 == 0, y1 == h),
                                      _ramp((x1 - x0) * s, overlap * s, x0 == 0, x1 == w))[..., None]
                    out[y0 * s:y1 * s, x0 * s:x1 * s] += part * weight
                    total[y0 * s:y1 * s, x0 * s:x1 * s] += weight
                else:
                    a0, b0 = max(0, y0 - overlap), max(0, x0 - overlap)
                    part = fn(image[a0:min(h, y1 + overlap), b0:min(w, x1 + overlap)])
                    if out is None:
                        out = np.empty((h * s, w * s, part.shape[-1]), part.dtype)
                    out[y0 * s:y1 * s, x0 * s:x1 * s] = part[(y0 - a0) * s:(y1 - a0) * s, (x0 - b0) * s:(x1 - b0) * s]
                del part
                memory.release()  # freed tiles back to the OS: see core.memory.release
                if progress is not None:
                    progress.update()
        return out / total if self.blend else out
