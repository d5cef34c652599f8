"""``super_res prepare`` against a naive loop, on the same photos, in one run (lesson 9: "memory
locality, SIMD, parallel processing"; the course got 7.9x with 16 threads).

The naive loop is what a first notebook does: one process, open each photo whole, resize so the
shorter side is 288 px, centre-crop, resize to 72 px, append to lists, stack. ``prepare`` decodes
JPEGs already scaled down (Pillow's draft mode), resizes with ``reducing_gap``, and spreads the
files over one thread per core.

    python benchmarks/prepare_bench.py --src ../shared/data/sr/train
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from keras_nst.core.image_io import find_images  # noqa: E402
from super_res.prepare import prepare  # noqa: E402


def naive(files, lo, hi):
    small, large = [], []
    for path in files:
        im = Image.open(path).convert("RGB")
        w, h = im.size
        s = hi / min(w, h)
        im = im.resize((max(hi, round(w * s)), max(hi, round(h * s))), Image.LANCZOS)
        x, y = (im.width - hi) // 2, (im.height - hi) // 2
        im = im.crop((x, y, x + hi, y + hi))
        large.append(np.asarray(im))
        small.append(np.asarray(im.resize((lo, lo), Image.BICUBIC)))
    return np.stack(small), np.stack(large)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--src", default="../shared/data/sr/train")
    ap.add_argument("--sizes", nargs=2, type=int, default=[72, 288])
    ap.add_argument("--workers", type=int, default=os.cpu_count())
    args = ap.parse_args()
    files = find_images(args.src)
    lo, hi = args.sizes
    started = time.perf_counter()
    small, large = naive(files, lo, hi)
    t_naive = time.perf_counter() - started
    out = Path(tempfile.mkdtemp(prefix="prepare_bench_"))
    try:
        started = time.perf_counter()
        manifest = prepare(args.src, out / "data", sizes=(lo, hi), workers=args.workers)
        t_prepare = time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"{len(files)} photos -> {lo} and {hi} px crops, {args.workers} workers on {os.cpu_count()} cores")
    print(f"naive PIL loop:   {t_naive:7.2f} s  ({len(large)} crops)")
    print(f"super_res prepare: {t_prepare:6.2f} s  ({manifest['count']} crops, bcolz arrays written)")
    print(f"speed-up: {t_naive / t_prepare:.2f}x")


if __name__ == "__main__":
    main()
