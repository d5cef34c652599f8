"""Lesson 9's bcolz arrays on disk: what ``super_res prepare`` writes and the trainers read.

Keras-free, so that ``prepare``'s worker processes never import a backend. Super-resolution reads
(low-res, high-res) pairs; fast style transfer the high-res photos alone (input and target both).
"""

import json
import math
from pathlib import Path

import numpy as np

from .errors import NSTError

MANIFEST = "manifest.json"


def array_name(size):
    return f"trn_resized_{size}.bc"


def split_chunks(n_rows, chunklen, val_fraction, sources=None):
    """(train chunks, held-out chunks): the last ``val_fraction`` of chunks, at least one if any.

    ``sources`` (each row's photo, the manifest's ``rows``) moves the split to the nearest chunk
    boundary no photo straddles: random crops of one photo overlap, so a held-out chunk that shares
    a photo with the training ones scores what the network has memorised, not how it generalises
    (the lesson's "is it overfitting?" needs photos it has never seen). With no such boundary (one
    photo, or one mixing window), the plain split.
    """
    n = math.ceil(n_rows / chunklen)
    n_val = min(n - 1, max(1, round(n * val_fraction))) if val_fraction > 0 and n > 1 else 0
    split = n - n_val
    if n_val and sources is not None:
        straddled = np.zeros(n_rows + 1, int)  # +1 over (first, last] of each photo's rows
        first, last = {}, {}
        for i, name in enumerate(sources):
            first.setdefault(name, i)
            last[name] = i
        for name, i in first.items():
            straddled[i + 1] += 1
            straddled[last[name] + 1] -= 1
        straddled = np.cumsum(straddled)
        clean = [b for b in range(1, n) if not straddled[b * chunklen]]
        split = min(clean, key=lambda b: (abs(b - split), -b), default=split)
    return np.arange(split), np.arange(split, n)


def open_arrays(folder):
    """The manifest and the (lr, hr) carrays of a prepared folder; a clear error if incomplete."""
    import bcolz

    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as e:
        raise NSTError(f"{folder}: not a complete prepared data folder (no readable {MANIFEST}: {e}); "
                       "run 'python -m super_res prepare' first") from None
    lo, hi = min(manifest["sizes"]), max(manifest["sizes"])
    try:
        lr, hr = (bcolz.open(str(folder / array_name(s)), mode="r") for s in (lo, hi))
    except Exception as e:  # bcolz raises assorted errors for damaged folders
        raise NSTError(f"{folder}: cannot open its arrays ({type(e).__name__}: {e})") from None
    if len(lr) != manifest["count"] or len(hr) != manifest["count"]:
        raise NSTError(f"{folder}: arrays hold {len(lr)}/{len(hr)} rows, manifest says {manifest['count']}")
    return manifest, lr, hr
