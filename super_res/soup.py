"""A uniform "model soup": the element-wise mean of the weights of x4 networks fine-tuned from one
start (Wortsman et al. 2022, "Model soups", ICML). Runs that left the same model along nearby
losses stay in one basin, so their mean is a network too, often better than each; score it with
``evaluate`` beside its parts before shipping it.

``--weights`` makes it an affine combination instead (weights summing to 1, negative ones allowed):
``--weights 2 -1`` of NEW and OLD is NEW + (NEW - OLD), model extrapolation (Zheng et al. 2025,
"Model Extrapolation Expedites Alignment", ACL), which carries a fine-tune further along the
direction it moved, at no training cost, when that direction is still downhill.

    python -m super_res soup /tmp/runs/pH.keras /tmp/runs/pI.keras --out soup.keras
    python -m super_res soup new.keras old.keras --weights 2 -1 --out further.keras
"""

from pathlib import Path

from keras_nst.core.errors import NSTError

from .options import check_model


def check(models, out, coefs=None):
    """The mixing weights (default: equal), after checking every input and the output, before Keras loads."""
    coefs = coefs or [1 / len(models)] * len(models)
    if len(coefs) != len(models) or abs(sum(coefs) - 1) > 1e-6:
        raise NSTError(f"--weights {' '.join(map(str, coefs))}: give one per model, summing to 1")
    if not str(out).endswith(".keras") or Path(out).exists():
        raise NSTError(f"--out {out}: give a new .keras file (an existing one is never overwritten)")
    if not Path(out).resolve().parent.is_dir():
        raise NSTError(f"--out {out}: folder {Path(out).parent} does not exist")
    for model in models:
        check_model(model, "models")
    return coefs


def soup(models, out, coefs=None):
    """Write to ``out`` the network whose weights are ``coefs`` (default: equal) times ``models``'."""
    import numpy as np

    from keras_nst.core.trainer import save_model

    from .upscale import load_model

    coefs = check(models, out, coefs)
    nets = [load_model(m, precision="float32") for m in models]
    weights = [m.get_weights() for m in nets]
    if any(len(w) != len(weights[0]) or any(a.shape != b.shape for a, b in zip(w, weights[0])) for w in weights):
        raise NSTError(f"{' '.join(map(str, models))}: not one architecture; a soup needs identical networks")
    # in float64 so that extrapolation's difference of nearby weights loses nothing
    nets[0].set_weights([np.tensordot(coefs, np.asarray(parts, np.float64), axes=1).astype(parts[0].dtype)
                         for parts in zip(*weights)])
    save_model(nets[0], out)
    return coefs
