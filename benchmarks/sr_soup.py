"""A uniform "model soup": the element-wise mean of the weights of x4 networks fine-tuned from one
start (Wortsman et al. 2022, "Model soups", ICML). Runs that left the same model along nearby
losses stay in one basin, so their mean is a network too, often better than each; score it with
``evaluate`` beside its parts before shipping it.

``--weights`` makes it an affine combination instead (weights summing to 1, negative ones allowed):
``--weights 2 -1`` of NEW and OLD is NEW + (NEW - OLD), model extrapolation (Zheng et al. 2025,
"Model Extrapolation Expedites Alignment", ACL), which carries a fine-tune further along the
direction it moved, at no training cost, when that direction is still downhill.

    KERAS_BACKEND=torch python benchmarks/sr_soup.py /tmp/runs/pH.keras /tmp/runs/pI.keras --out soup.keras
    KERAS_BACKEND=torch python benchmarks/sr_soup.py new.keras old.keras --weights 2 -1 --out further.keras
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
    ap.add_argument("--weights", nargs="+", type=float, metavar="W",
                    help="one per model, summing to 1 (default: equal); negative ones extrapolate")
    args = ap.parse_args()
    coefs = args.weights or [1 / len(args.models)] * len(args.models)
    if len(coefs) != len(args.models) or abs(sum(coefs) - 1) > 1e-6:
        ap.error(f"--weights {' '.join(map(str, coefs))}: give one per model, summing to 1")
    if not args.out.endswith(".keras") or os.path.exists(args.out):
        ap.error(f"--out {args.out}: give a new .keras file (an existing one is never overwritten)")
    models = [as_float32(load_model(m)) for m in args.models]
    weights = [m.get_weights() for m in models]
    if any(len(w) != len(weights[0]) or any(a.shape != b.shape for a, b in zip(w, weights[0])) for w in weights):
        ap.error(f"{' '.join(args.models)}: not one architecture; a soup needs identical networks")
    soup = models[0]
    # in float64 so that extrapolation's difference of nearby weights loses nothing
    soup.set_weights([np.tensordot(coefs, np.asarray(parts, np.float64), axes=1).astype(parts[0].dtype)
                      for parts in zip(*weights)])
    with atomic_path(args.out) as tmp:
        soup.save(tmp)
    print(f"wrote {args.out}: {' + '.join(f'{c:g} x {m}' for c, m in zip(coefs, args.models))}")


if __name__ == "__main__":
    main()
