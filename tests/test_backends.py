"""Loss (content + style + TV), gradient and on-device L-BFGS agree across Keras backends (the GPU box has
JAX and torch, no TF)."""

import importlib.util
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from helpers import skimage_rgb

SCRIPT = textwrap.dedent("""
    import sys, numpy as np, keras
    from keras_nst.experiments import Loss, build_objective
    from keras_nst.device_opt import lbfgs
    from keras_nst.core.backend import numpy_step
    d = np.load(sys.argv[1])
    # content + style + total variation: every term of the loss contract on this backend
    objective, _ = build_objective(content=d["content"], style=d["style"], weights=sys.argv[2],
                                   loss=Loss(content_weight=0.1, tv_weight=0.01))
    loss, grad = numpy_step(objective(100.0))(d["x"])
    _, losses, evals = lbfgs(objective(100.0), d["x"], 15, every=5)  # the on-device L-BFGS on this backend
    np.savez(sys.argv[3], loss=loss, grad=grad, backend=keras.backend.backend(), lbfgs=losses + [evals])
""")


def objective_on(backend, inputs, weights, tmp_path):
    out = tmp_path / f"{backend}.npz"
    env = dict(os.environ, KERAS_BACKEND=backend)
    run = subprocess.run([sys.executable, "-c", SCRIPT, str(inputs), weights, str(out)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    result = np.load(out)
    assert str(result["backend"]) == backend
    return float(result["loss"]), result["grad"], result["lbfgs"]


@pytest.mark.parametrize("other", ["jax", "torch"])
def test_loss_and_gradient_equal_across_backends(other, vgg, tmp_path):
    if importlib.util.find_spec(other) is None:
        pytest.skip(f"{other} not installed")
    weights = tmp_path / "vgg.weights.h5"
    vgg.save_weights(str(weights))
    rng = np.random.default_rng(0)
    inputs = tmp_path / "inputs.npz"
    np.savez(inputs, content=skimage_rgb("chelsea", (64, 48)), style=skimage_rgb("coffee", (40, 64)),
             x=rng.uniform(-60, 60, (1, 48, 64, 3)).astype("float32"))
    tf_loss, tf_grad, tf_lbfgs = objective_on("tensorflow", inputs, str(weights), tmp_path)
    loss, grad, lbfgs = objective_on(other, inputs, str(weights), tmp_path)
    assert loss == pytest.approx(tf_loss, rel=1e-4)
    assert np.linalg.norm(grad - tf_grad) / np.linalg.norm(tf_grad) < 1e-3
    assert np.abs(tf_grad).max() > 1e-3  # a real, scaled gradient, not zeros
    assert lbfgs[-1] == tf_lbfgs[-1] == 15 and lbfgs[2] < lbfgs[0] < loss  # on-device L-BFGS descends
    np.testing.assert_allclose(lbfgs[:3], tf_lbfgs[:3], rtol=0.05)  # along the same path as on TF
