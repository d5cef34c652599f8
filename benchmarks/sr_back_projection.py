"""Iterative back-projection (Irani & Peleg 1991) built into a trained x4 network: the file written is
the network plus a ``BackProjection`` layer (``super_res.model.back_projected``), so ``upscale``,
``evaluate`` and any code that loads it get the consistent result. ``train`` saves its models so
already (``--back-projection``); this script is for networks saved without it, such as the ones
shipped before it, or to change the count (0: the network alone). Score it with ``evaluate`` beside
the original before shipping it.

    KERAS_BACKEND=torch python benchmarks/sr_back_projection.py perceptual --iterations 2 --out bp.keras
"""

import argparse
import os

from keras_nst.core.atomic import atomic_path
from super_res.model import back_projected
from super_res.upscale import load_model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="a shipped name or a .keras file")
    ap.add_argument("--iterations", type=int, default=2, help="back-projection rounds (default 2; 0: none)")
    ap.add_argument("--out", required=True, help="the .keras file to write (never an existing one)")
    args = ap.parse_args()
    if args.iterations < 0:
        ap.error(f"--iterations {args.iterations}: give a whole number >= 0")
    if not args.out.endswith(".keras") or os.path.exists(args.out):
        ap.error(f"--out {args.out}: give a new .keras file (an existing one is never overwritten)")
    model = back_projected(load_model(args.model), args.iterations)
    with atomic_path(args.out) as tmp:
        model.save(tmp)
    print(f"wrote {args.out}: {args.model} with {args.iterations} rounds of back-projection")


if __name__ == "__main__":
    main()
