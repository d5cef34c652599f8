"""A uniform "model soup": the element-wise mean of the weights of x4 networks fine-tuned from one
start (Wortsman et al. 2022, "Model soups", ICML). Runs that left the same model along nearby
losses stay in one basin, so their mean is a network too, often better than each; score it with
``evaluate`` beside its parts before shipping it.

    KERAS_BACKEND=torch python benchmarks/sr_soup.py /tmp/runs/pH.keras /tmp/runs/pI.keras --out soup.keras
"""

import argparse
import os

import numpy as np

from keras_nst.core.atomic import atomic_path
from super_res.model import as_float32
from super_res.upscale import load_model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", help="shipped names or .keras files of one architecture")
    ap.add_argument("--out", required=True, help="the .keras file to write (never an existing one)")
    args = ap.parse_args()
    if not args.out.endswith(".keras") or os.path.exists(args.out):
        ap.error(f"--out {args.out}: give a new .keras file (an existing one is never overwritten)")
    models = [as_float32(load_model(m)) for m in args.models]
    weights = [m.get_weights() for m in models]
    if any(len(w) != len(weights[0]) or any(a.shape != b.shape for a, b in zip(w, weights[0])) for w in weights):
        ap.error(f"{' '.join(args.models)}: not one architecture; a soup needs identical networks")
    soup = models[0]
    soup.set_weights([np.mean(parts, axis=0) for parts in zip(*weights)])
    with atomic_path(args.out) as tmp:
        soup.save(tmp)
    print(f"wrote {args.out}: the mean of {len(models)} networks")


if __name__ == "__main__":
    main()
