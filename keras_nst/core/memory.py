"""Memory a run needs, known before it starts: activation sizes follow from the image size, so a
run that cannot fit is refused (or tiled) up front instead of dying in the allocator."""

import ctypes
import ctypes.util
import functools
import os
from pathlib import Path

from .errors import NSTError


def available():
    """Bytes available to this process now (Linux' MemAvailable; else a quarter of physical memory)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 4


def budget(share=0.5):
    """What one run may plan to use: ``share`` of the available memory (the rest: runtime, weights,
    whatever else runs on the machine)."""
    return int(available() * share)


def check_images(shapes, bytes_per_pixel, share=0.5):
    """Refuse, before any work, batches (B, h, w, 3) whose activations (``bytes_per_pixel``) cannot
    fit in memory, saying which --size would. Returns the bytes needed."""
    b, h, w, _ = max(shapes, key=lambda s: s[0] * s[1] * s[2])
    need, have = b * h * w * bytes_per_pixel, budget(share)
    if need > have:
        fits = int((have / bytes_per_pixel / b) ** 0.5 * max(h, w) / (h * w) ** 0.5)
        raise NSTError(f"{b} image(s) of {w}x{h} px need about {need / 1e9:.1f} GB; {have / 1e9:.1f} GB can be "
                       f"used on this machine: use a smaller --size (about {fits} px fits), or fewer images at once")
    return need


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None


def release():
    """Hand memory freed by the last tile back to the operating system (glibc's ``malloc_trim``).

    Without it glibc keeps blocks freed by earlier tiles: a 1200x900 upscale in 200 px tiles peaked
    at 3.5 GB, trimmed after each tile at 2.9-3.0 GB (the tile's plan). A no-op without glibc."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
