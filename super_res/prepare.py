"""Lesson 9's data preparation: resize and centre-crop photos in parallel into bcolz arrays.

"Memory locality, SIMD, parallel processing": every photo is decoded once (JPEGs already scaled
down by Pillow's draft mode), cropped square at the high-resolution size in one filter pass, and
downscaled with bicubic filtering to the low-resolution size, so row i of every array is the same
crop. File order is shuffled so that neighbouring chunks are not all one folder (one ImageNet
class), and random crops are shuffled across photos (``mixed``): a batch is whole chunks, and a chunk
of one photo's crops made every batch one photo, whose gradients pull the network its own way.
Arrays are built in a hidden temp folder and moved in only when complete, the manifest last.
"""

import json
import os
import shutil
import tempfile
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from keras_nst.core.arrays import MANIFEST, array_name
from keras_nst.core.atomic import atomic_path, hold_dir, release_dir
from keras_nst.core.errors import NSTError
from keras_nst.core.image_io import find_images, load_image

from .defaults import SCALE


def samples(path, sizes, crops, seed):
    """(rows, error): rows is one uint8 array per size, ``crops`` or 1 crop each; error a message."""
    hr = max(sizes)
    try:
        # random crops at native scale, or a centre square of the photo shrunk to ``hr`` (the course)
        img = load_image(path, None if crops else hr, square=not crops, grow=False)
    except NSTError as e:
        return None, str(e)
    h, w = img.shape[:2]
    if min(h, w) < hr:
        return None, f"{path}: image is {w}x{h} px, smaller than the {hr} px crop"
    pil = Image.fromarray(img)
    if crops:
        rng = np.random.default_rng([seed, zlib.crc32(Path(path).name.encode())])  # same crops on any machine
        his = []
        for _ in range(crops):
            side = int(rng.integers(hr, min(2 * hr, h, w) + 1))  # then shrunk to hr: up to 2x finer
            x, y = int(rng.integers(0, w - side + 1)), int(rng.integers(0, h - side + 1))
            his.append(pil.resize((hr, hr), Image.LANCZOS, box=(x, y, x + side, y + side)))
    else:
        his = [pil]
    rows = [np.stack([np.asarray(im if s == hr else im.resize((s, s), Image.BICUBIC)) for im in his])
            for s in sizes]
    return rows, None


def mixed(done, src, skipped, *, window, seed, progress=None):
    """(row names, one array per size) for every ``window`` photos of ``done`` ((path, (rows, error))
    pairs), their rows in a seeded random order: with a window of ``chunklen`` photos, a chunk can hold
    a crop of each. Only a window is held, so memory stays the same whatever the folder's size.
    Failures go to ``skipped``."""
    rng = np.random.default_rng([seed, window])
    names, held = [], []
    for i, (path, (result, error)) in enumerate(done, 1):
        if error:
            skipped.append([str(path.relative_to(src)), error])
        else:
            names += [str(path.relative_to(src))] * len(result[0])
            held.append(result)
        if progress is not None:
            progress.update()
        if held and (i % window == 0):
            yield _shuffled(names, held, rng)
            names, held = [], []
    if held:
        yield _shuffled(names, held, rng)


def _shuffled(names, held, rng):
    order = rng.permutation(len(names)) if len(held) > 1 else np.arange(len(names))
    return [names[i] for i in order], [np.concatenate(arrays)[order] for arrays in zip(*held)]


def _check_paths(src, out, sizes, overwrite):
    src, out = Path(src).resolve(), Path(out).resolve()
    if not src.is_dir():
        raise NSTError(f"{src}: not a folder")
    if out.exists() and not out.is_dir():
        raise NSTError(f"{out}: exists and is not a folder; --out is a folder for the arrays")
    if out == src or src in out.parents:
        raise NSTError(f"{out}: inside the source folder {src}; the source is never written, choose another --out")
    existing = [out / n for n in [MANIFEST] + [array_name(s) for s in sizes] if (out / n).exists()]
    if existing and not overwrite:
        raise NSTError(f"{existing[0]}: already exists; choose a new --out or pass --overwrite")
    return src, out


def _check_numbers(sizes, workers, limit, crops_per_image, chunklen):
    sizes = [int(s) for s in sizes]
    if len(sizes) != 2 or min(sizes) < 1 or sizes[0] == sizes[1]:
        raise NSTError(f"--sizes must be two different sizes >= 1 px (low, high), got {sizes}")
    if sizes[1] != SCALE * sizes[0]:
        raise NSTError(f"--sizes {sizes[0]} {sizes[1]}: the low-res size first, then the high-res, {SCALE}x it (the "
                       f"networks' factor), e.g. --sizes 72 288")
    for value, option, least in ((workers, "--workers", 1), (limit, "--limit", 1),
                                 (crops_per_image, "--crops-per-image", 0), (chunklen, "--chunk-len", 1)):
        if value is not None and value < least:
            raise NSTError(f"{option} must be at least {least}, got {value}")
    return sizes


def check(src, out, *, sizes, workers, limit, crops_per_image, chunklen, overwrite):
    """Every option and both folders, before any work: (src, out, sorted sizes)."""
    sizes = _check_numbers(sizes, workers, limit, crops_per_image, chunklen)
    return (*_check_paths(src, out, sizes, overwrite), sizes)


def prepare(src, out, *, sizes=(72, 288), workers=None, limit=None, crops_per_image=0, seed=0,
            chunklen=16, overwrite=False, progress=None):
    """Build the aligned arrays; returns the manifest (a dict). ``progress``: a tqdm bar, or None."""
    src, out, sizes = check(src, out, sizes=sizes, workers=workers, limit=limit, crops_per_image=crops_per_image,
                            chunklen=chunklen, overwrite=overwrite)
    files = find_images(src)
    np.random.default_rng(seed).shuffle(files)
    files = files[:limit] if limit else files
    if not files:
        raise NSTError(f"{src}: no image files found")
    if progress is not None:
        progress.total = len(files)
        progress.refresh()
    out.mkdir(parents=True, exist_ok=True)
    try:
        hold_dir(out)  # one run at a time into a folder
    except BlockingIOError:
        raise NSTError(f"{out}: another prepare run is writing into it now; choose another --out") from None
    try:
        _check_paths(src, out, sizes, overwrite)  # again, now that it is held: another run may have ended there
        return _build(files, src, out, sizes=sizes, crops_per_image=crops_per_image, seed=seed, chunklen=chunklen,
                      workers=workers, progress=progress)
    finally:
        release_dir(out)


def _build(files, src, out, *, sizes, crops_per_image, seed, chunklen, workers, progress):
    import bcolz

    _remove_stale(out)
    tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=out))
    try:
        arrays = {s: bcolz.carray(np.zeros((0, s, s, 3), np.uint8), chunklen=chunklen, mode="w",
                                  rootdir=str(tmp / array_name(s))) for s in sizes}
        rows, skipped = [], []
        work = partial(samples, sizes=sizes, crops=crops_per_image, seed=seed)
        done = zip(files, _map(work, files, workers))
        for names, batches in mixed(done, src, skipped, window=chunklen if crops_per_image else 1, seed=seed,
                                    progress=progress):
            for s, batch in zip(sizes, batches):
                arrays[s].append(batch)
            rows += names
        if not rows:
            raise NSTError(f"{src}: none of {len(files)} image files could be used")
        for a in arrays.values():
            a.flush()
        manifest = dict(version=1, source=str(src), sizes=sizes, chunklen=chunklen, count=len(rows), seed=seed,
                        crops_per_image=crops_per_image, rows=rows, skipped=skipped)
        _install(tmp, out, sizes, manifest)
        return manifest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


TMP_PREFIX = ".prepare-"  # + the owner's pid: a later run can tell an abandoned folder from a live one


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _remove_stale(out):
    """Temp folders of earlier runs killed before they could clean up (SIGKILL, power loss)."""
    for folder in out.glob(f"{TMP_PREFIX}*"):
        pid = folder.name[len(TMP_PREFIX):].split("-")[0]
        if folder.is_dir() and (not pid.isdigit() or not _alive(int(pid))):
            shutil.rmtree(folder, ignore_errors=True)


def _map(fn, files, workers):
    """``fn`` over ``files`` in order, on ``workers`` threads, never more than a few files ahead of
    the writer: memory stays the same whatever the folder's size (``Executor.map`` would queue
    every file at once and hold every finished one)."""
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        yield from map(fn, files)
        return
    # threads, as the course's ThreadPoolExecutor: Pillow lets go of the GIL while it decodes and
    # resamples, which is nearly all the work, and threads cost no start-up (two spawned
    # processes took ~0.3 s of a 1.6 s run) and die with a killed parent
    with ThreadPoolExecutor(workers) as pool:
        ahead = deque()
        for path in files:
            ahead.append(pool.submit(fn, path))
            if len(ahead) > AHEAD * workers:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()


AHEAD = 4  # files in flight per worker


def _install(tmp, out, sizes, manifest):
    """Move finished arrays into ``out``, replacing old ones, and write the manifest last."""
    (out / MANIFEST).unlink(missing_ok=True)  # from here until the end, ``out`` is not "complete"
    for s in sizes:
        target = out / array_name(s)
        if target.exists():
            target.rename(tmp / f"old-{array_name(s)}")
        (tmp / array_name(s)).rename(target)
    with atomic_path(out / MANIFEST) as path:
        Path(path).write_text(json.dumps(manifest, indent=1))
