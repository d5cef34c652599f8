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
    from keras_nst.transfer.experiments import Loss, build_objective
    from keras_nst.core.optimise.device import lbfgs
    from keras_nst.core.backend import numpy_step
    d = np.load(sys.argv[1])
    # content + style + total variation: every term of the loss contract on this backend
    objective, _ = build_objective(content=d["content"], style=d["style"], weights=sys.argv[2],
                                   loss=Loss(content_weight=0.1, tv_weight=0.01), precision="float32")
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


PREDICT = textwrap.dedent("""
    import numpy as np, keras
    from keras_nst.core.backend import _graph, predict
    from keras_nst.fast_style import transform_net
    from super_res.model import upsampler
    keras.utils.set_random_seed(0)
    sr = upsampler(n_res=2)
    head = sr.get_layer("residual")
    head.set_weights([w + 0.01 for w in head.get_weights()])  # so the body's output shows
    conv = keras.layers.Conv2D(3, 3, padding="same")  # one layer used twice: a graph the walk cannot follow
    inp = keras.Input((None, None, 3))
    shared = keras.Model(inp, conv(conv(inp)))
    bare = keras.Model(inp, keras.ops.minimum(keras.layers.Conv2D(3, 3)(inp), 20.0))  # a bare op: its 20 is no input
    fast = transform_net(filters=8, n_res=1)
    rng = np.random.default_rng(0)
    for model, shape in ((sr, (2, 13, 21, 3)), (fast, (1, 90, 95, 3)), (shared, (1, 9, 11, 3)), (bare, (1, 9, 11, 3))):
        x = rng.uniform(0, 255, shape).astype("float32")
        np.testing.assert_allclose(predict(model, x), keras.ops.convert_to_numpy(model(x, training=False)), atol=1e-3)
    # which graphs torch walks op by op, dropping what has been read (the others take Keras' predict step)
    print([_graph(m) is not None for m in (sr, fast, shared, bare)])
""")


@pytest.mark.parametrize("backend", ["tensorflow", "torch"])  # JAX takes TensorFlow's path, Keras' predict step
def test_the_forward_pass_is_the_models_call(backend):
    """``core.backend.predict``, what upscale and fast-stylize run, is the model's own output (its
    memory per output pixel, what tiles are planned with, is measured by
    ``benchmarks/inference_bench.py``). On JAX the save/load tests compare it with the eager call."""
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} not installed")
    run = subprocess.run([sys.executable, "-c", PREDICT], env=dict(os.environ, KERAS_BACKEND=backend),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    walked = run.stdout.split("\n")[-2]
    assert walked == "[True, True, False, False]"


LOAD_SHIPPED = textwrap.dedent("""
    import sys
    if sys.argv[1] == "keras-first":
        import keras  # the other order: Keras already loaded when the packages register their layers
    import keras_nst, super_res
    import keras
    from pathlib import Path
    files = sorted(Path(keras_nst.__file__).parent.glob("models/*.keras")) + sorted(
        Path(super_res.__file__).parent.glob("models/*.keras"))
    for path in files:
        model = keras.models.load_model(path)
        # a picture in, or (the any-painting decoders) a VGG16 level's features
        print(path.stem, tuple(model.compute_output_shape((1, 64, 64, model.input.shape[-1]))))
""")


@pytest.mark.parametrize("backend", ["tensorflow", "jax", "torch"])
def test_every_shipped_file_opens_with_keras_after_importing_the_packages(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} not installed")
    for order in ("packages-first", "keras-first") if backend == "tensorflow" else ("packages-first",):
        run = subprocess.run([sys.executable, "-c", LOAD_SHIPPED, order], env=dict(os.environ, KERAS_BACKEND=backend),
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-3000:]
        shapes = dict(line.split(" ", 1) for line in run.stdout.splitlines())
        assert {"starry_night", "candy", "psnr", "perceptual"} <= set(shapes)
        assert shapes["candy"] == "(1, 64, 64, 3)" and shapes["psnr"] == "(1, 256, 256, 3)"
        assert shapes["decoder_block2_conv1"] == "(1, 128, 128, 3)"


def test_importing_the_packages_loads_no_keras():
    """The command lines check their inputs before Keras loads (~8 s): importing them must not load it."""
    code = "import sys, keras_nst, super_res, keras_nst.cli, super_res.cli; print('keras' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "False", run.stderr[-2000:]
