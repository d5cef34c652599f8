"""Lesson 9's ``BcolzArrayIterator``: stream aligned (lr, hr) batches straight from bcolz, by chunks.

bcolz stores arrays compressed in chunks; reading whole chunks keeps every read a sequential
decompression (the lesson's memory-locality point). A batch is ``batch_size / chunklen`` chunks,
optionally in a seeded shuffled chunk order, the last short chunk included. It is a Keras
``PyDataset``, so ``model.fit`` takes it on every backend; ``next(it)`` works as in the course.
"""

import math

import keras
import numpy as np

from .errors import NSTError


class BcolzArrayIterator(keras.utils.PyDataset):
    """Batches of ``(X[rows], Y[rows])`` made of whole chunks; ``chunks`` limits to some chunks."""

    def __init__(self, X, Y, batch_size=16, shuffle=False, seed=None, chunks=None, **kwargs):
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
        return np.concatenate([self.X[r] for r in rows]), np.concatenate([self.Y[r] for r in rows])

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
