"""Lesson 9's ``BcolzArrayIterator``: stream aligned (lr, hr) batches straight from bcolz, by chunks.

bcolz stores arrays compressed in chunks; reading whole chunks keeps every read a sequential
decompression (the lesson's memory-locality point). A batch is ``batch_size / chunklen`` chunks,
optionally in a seeded shuffled chunk order, the last short chunk included. ``augment`` turns
each pair by one of the 8 flips and 90-degree rotations (EDSR's training augmentation, Lim et al. 2017):
a few hundred photos' crops then stand for eight times as many, and the network learns the symmetry
that ``--self-ensemble`` otherwise buys at 8x the inference time. It is a Keras ``PyDataset``, so
``model.fit`` takes it on every backend; ``next(it)`` works as in the course.
"""

import math

import keras
import numpy as np

from .errors import NSTError


class BcolzArrayIterator(keras.utils.PyDataset):
    """Batches of ``(X[rows], Y[rows])`` made of whole chunks; ``chunks`` limits to some chunks;
    ``augment`` flips and rotates each pair at random (the same way for its X and Y)."""

    def __init__(self, X, Y, batch_size=16, shuffle=False, seed=None, chunks=None, augment=False, **kwargs):
        super().__init__(**kwargs)
        if len(X) != len(Y):
            raise NSTError(f"X has {len(X)} rows but Y has {len(Y)}: the arrays are not aligned")
        self.chunklen = X.chunklen
        if Y.chunklen != self.chunklen:
            raise NSTError(f"X and Y have chunk lengths {X.chunklen} and {Y.chunklen}; they must match")
        if batch_size <= 0 or batch_size % self.chunklen:
            raise NSTError(f"batch size {batch_size} must be a multiple of the arrays' chunk length "
                           f"{self.chunklen} (a batch is whole chunks)")
        self.X, self.Y = X, Y
        self.chunks_per_batch = batch_size // self.chunklen
        self.chunks = np.arange(math.ceil(len(X) / self.chunklen)) if chunks is None else np.asarray(chunks)
        self.shuffle, self.rng = shuffle, np.random.default_rng(seed)
        # its own stream, so that augmenting leaves the chunk order of a seed unchanged
        self.augment = np.random.default_rng(None if seed is None else [seed, 1]) if augment else None
        self.order = self.chunks.copy()
        self.on_epoch_end()
        self._next = 0

    def __len__(self):
        return math.ceil(len(self.chunks) / self.chunks_per_batch)

    def __getitem__(self, index):
        if not 0 <= index < len(self):
            raise IndexError(index)
        picked = self.order[index * self.chunks_per_batch:(index + 1) * self.chunks_per_batch]
        rows = [slice(c * self.chunklen, min((c + 1) * self.chunklen, len(self.X))) for c in picked]
        x, y = np.concatenate([self.X[r] for r in rows]), np.concatenate([self.Y[r] for r in rows])
        return (x, y) if self.augment is None else self._turned(x, y)

    def _turned(self, x, y):
        # a quarter turn changes the shape of a non-square crop, and a batch needs one shape: flips only then
        turns = 4 if x.shape[1] == x.shape[2] else 2
        for i, (k, flip) in enumerate(zip(self.augment.integers(turns, size=len(x)) * (4 // turns),
                                          self.augment.integers(2, size=len(x)))):
            for a in (x, y):
                a[i] = np.rot90(a[i][:, ::-1] if flip else a[i], k)
        return x, y

    def on_epoch_end(self):
        if self.shuffle:
            self.order = self.rng.permutation(self.chunks)

    def __next__(self):
        """The course's ``next(it)``: batches forever, reshuffling after each pass."""
        if self._next == len(self):
            self._next = 0
            self.on_epoch_end()
        self._next += 1
        return self[self._next - 1]

    next = __next__
