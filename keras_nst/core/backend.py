"""The one backend-specific module: loss and gradient with respect to the image (lesson 8's K.gradients),
and the lightest forward pass of a trained network (lesson 9's feed-forward models at any size).

It differentiates ``loss_fn(x, model(x), consts) -> scalar``, whatever the terms inside ``loss_fn``
(``terms.Objective``): a new term never touches this module.

Keras 3 has no backend-neutral ``gradients``; each backend differentiates its own way: TensorFlow
with a GradientTape inside ``tf.function``, JAX with ``jax.value_and_grad`` under ``jax.jit`` (the
model called statelessly, so its weights are arguments, not 58 MB of baked-in constants), torch with
autograd. ``compile_fn`` compiles the on-device optimiser's own arithmetic where that pays (JAX).
``resolve_precision`` decides what ``--precision auto`` means on this device and backend, and
``in_precision`` rebuilds a trained float32 network to compute in bfloat16.
Everything else in the project uses ``keras.ops`` only.
"""

import collections
import functools

import keras
import numpy as np

from .defaults import BFLOAT16_CPU_FLAGS, PRECISIONS
from .errors import NSTError


def device_loss_and_grad(model, loss_fn):
    """``step(x, consts) -> (loss, grad)`` as backend tensors on the device, for on-device optimisers;
    the loss is ``loss_fn(x, model(x), consts)``.

    ``x`` is a float32 image batch in preprocessed space (a backend tensor or a NumPy array);
    ``consts`` (targets, loss scale) are backend tensors made once by the caller, so they stay on the
    device and changing them recompiles nothing.
    """
    backend = keras.backend.backend()
    makers = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}
    if backend not in makers:
        raise RuntimeError(f"Keras backend '{backend}' is not supported: use tensorflow, jax or torch")
    return makers[backend](model, loss_fn)


@functools.cache  # one compiled function per process (the backend is fixed once Keras is imported)
def compile_fn(fn):
    """``fn`` (tensors in, tensors out; fixed shapes) as one compiled call on JAX, where dispatching
    the L-BFGS two-loop's ~60 small ops one by one costs about a millisecond per evaluation, as much
    as a GPU's whole VGG pass (measured: 2.1 -> 0.8-1.2 ms per evaluation at 128 px on this CPU).
    TensorFlow's ``tf.function`` call costs more than it saves here (1.3 -> 2.2 ms), and torch queues
    its small kernels asynchronously already, so both run ``fn`` as it is (and keep short lists).
    """
    if keras.backend.backend() == "jax":
        import jax

        return jax.jit(fn)
    return fn


def cpu_flags():
    """The CPU's feature flags (Linux' /proc/cpuinfo; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo") as f:
            return frozenset(next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), []))
    except OSError:
        return frozenset()


def _gpu_bfloat16(backend):
    """Whether the backend computes on a GPU with bfloat16 tensor cores (NVIDIA compute capability 8+)."""
    if backend == "torch":
        import torch

        return torch.cuda.is_available() and torch.cuda.is_bf16_supported(including_emulation=False)
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return device.platform == "gpu" and float(getattr(device, "compute_capability", 0) or 0) >= 8
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return bool(gpus) and tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0,)) >= (8,)


def bfloat16_device():
    """Where bfloat16 pays on this machine and backend, in words, or None where it does not.

    On a GPU with bfloat16 tensor cores, every backend. On a CPU with bfloat16 instructions
    (``BFLOAT16_CPU_FLAGS``), TensorFlow and torch (oneDNN's bfloat16 kernels); JAX's CPU compiler
    gains nothing there, and an AVX2-only CPU emulates bfloat16 at several times float32's cost
    (benchmarks/precision_bench.py; figures in RESULTS.md).
    """
    backend = keras.backend.backend()
    if _gpu_bfloat16(backend):
        return "a GPU with bfloat16 tensor cores"
    flags = sorted(cpu_flags().intersection(BFLOAT16_CPU_FLAGS))
    if flags and backend in ("tensorflow", "torch"):
        return f"a CPU with {' and '.join(flags)}"
    return None


@functools.cache
def resolve_precision(precision):
    """``precision`` as a model computes it: ``auto`` is ``mixed`` where ``bfloat16_device`` finds
    bfloat16 in hardware, else ``float32``; the others as they are."""
    if precision == "auto":
        return "mixed" if bfloat16_device() else "float32"
    if precision not in PRECISIONS:
        raise NSTError(f"unknown --precision '{precision}': use auto, {' or '.join(PRECISIONS)}")
    return precision


def describe_precision(precision):
    """How a summary line names the precision a run used."""
    return "bfloat16 (mixed precision)" if precision == "mixed" else "float32"


def in_precision(model, precision):
    """A copy of the functional ``model`` (the same weights) that computes in ``precision``.

    Under ``mixed``, the body computes in bfloat16: every layer from the second convolution up to the
    last one. The first convolution (and what comes before it) and the last one (and what follows it:
    tanh, the scaling to 0-255, back-projection) stay float32, as they touch pixel values, where
    bfloat16 steps by a whole grey level above 128: a bfloat16 first convolution costs far more of
    the result's fidelity than the whole body does (benchmarks/precision_bench.py). Weights stay
    float32 either way, so one shipped float32 file serves both precisions.
    """
    precision = resolve_precision(precision)
    config = model.get_config()
    layers = config["layers"]
    convs = [i for i, layer in enumerate(layers) if layer["class_name"] in ("Conv2D", "Conv2DTranspose")]
    first, last = (convs[1], convs[-1]) if precision == "mixed" and len(convs) > 2 else (0, 0)
    for i, layer in enumerate(layers):
        if "dtype" in layer.get("config", {}) and layer["class_name"] != "InputLayer":  # inputs stay float32
            layer["config"]["dtype"] = PRECISIONS[precision] if first <= i < last else "float32"
    copy = keras.Model.from_config(config)
    copy.set_weights(model.get_weights())
    return copy


def numpy_step(step):
    """The NumPy face of a device step, as SciPy's L-BFGS needs: (loss: float, grad: float32 ndarray)."""

    def f(x, *args):
        loss, grad = step(np.asarray(x, dtype="float32"), *args)
        return float(keras.ops.convert_to_numpy(loss)), keras.ops.convert_to_numpy(grad)

    return f


def loss_and_grad(model, loss_fn):
    """``f(x, consts) -> (loss: float, grad: float32 ndarray)`` for ``loss_fn(x, model(x), consts)``."""
    return numpy_step(device_loss_and_grad(model, loss_fn))


def _tensorflow(model, loss_fn):
    import tensorflow as tf

    @tf.function(reduce_retracing=True, autograph=False)  # plain Python control flow only: nothing to convert
    def step(x, consts):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(x, model(x), consts)
        return loss, tape.gradient(loss, x)

    return lambda x, consts: step(tf.convert_to_tensor(x), consts)


def _jax(model, loss_fn):
    import jax

    def total(x, trainable, non_trainable, consts):
        outputs, _ = model.stateless_call(trainable, non_trainable, x)
        return loss_fn(x, outputs, consts)

    step = jax.jit(jax.value_and_grad(total))
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    return lambda x, consts: step(x, trainable, non_trainable, consts)


def _torch(model, loss_fn):
    import torch

    def step(x, consts):
        x = keras.ops.convert_to_tensor(x).detach().requires_grad_(True)  # on Keras' device (GPU if any)
        loss = loss_fn(x, model(x), consts)
        (grad,) = torch.autograd.grad(loss, x)
        return loss.detach(), grad

    return step


def predict(model, batch):
    """``model`` on a float32 NumPy batch, as NumPy, with as few activations alive as the backend allows.

    The eager call ``model(x)`` of a functional model keeps every layer's output until it returns, and
    on torch records them all for autograd: 2.9-4.5 KB an output pixel of the SR network. On
    TensorFlow and JAX, Keras' predict step runs one compiled graph that frees each activation after
    its last use (0.6-1.4 KB, compiling included). On torch that step is the eager call without
    autograd (3.4 KB), so the model's layers run one by one instead, each output dropped after its
    last read (0.9-1 KB, the same output). ``benchmarks/inference_bench.py`` measures all three.
    """
    batch = np.ascontiguousarray(batch, "float32")
    steps = _graph(model) if keras.backend.backend() == "torch" else None
    if steps is None:
        return model.predict_on_batch(batch)
    return _walk(steps, {id(model.inputs[0]): batch}, id(model.outputs[0]))


def _walk(steps, feed, out):
    """Run ``steps`` (``_graph``'s) without autograd from ``feed`` ({tensor id: NumPy value}), each
    value dropped after its last read; the value of tensor ``out``, as NumPy."""
    import torch

    reads = collections.Counter(i for _, inputs, _ in steps for i in inputs)
    values = {i: keras.ops.convert_to_tensor(np.ascontiguousarray(v, "float32")) for i, v in feed.items()}
    with torch.no_grad():
        for op, inputs, output in steps:
            args = [values[i] for i in inputs]
            values[output] = op(args if len(args) > 1 else args[0])  # Add, CropLike: a list, as built
            for i in inputs:
                reads[i] -= 1
                if not reads[i]:
                    del values[i]
    return keras.ops.convert_to_numpy(values[out])


def split(model, tensor):
    """A one-input functional ``model`` cut at an inner ``tensor``, as two functions of NumPy batches
    run like ``predict``: ``head(batch)``, the tensor's value, and ``tail(value, batch)``, the output
    from it (and from the input, which later layers may read again). A network whose last layers work
    at 4x the input's size runs its head on a whole photo and its tail in tiles: the large activations
    exist a tile at a time."""
    head = keras.Model(model.inputs, tensor)
    steps = _graph(model) if keras.backend.backend() == "torch" else None
    if steps is None:
        tail = keras.Model([tensor, *model.inputs], model.outputs)
        both = lambda value, batch: [np.ascontiguousarray(v, "float32") for v in (value, batch)]
        return (lambda batch: predict(head, batch), lambda value, batch: tail.predict_on_batch(both(value, batch)))
    inp, out = id(model.inputs[0]), id(model.outputs[0])
    wanted, tail = {out}, []
    for op, inputs, output in reversed(steps):  # only what the output needs beyond the tensor and the input
        if output in wanted and output not in (id(tensor), inp):
            tail.append((op, inputs, output))
            wanted.update(inputs)
    tail.reverse()
    return (lambda batch: predict(head, batch),
            lambda value, batch: _walk(tail, {id(tensor): value, inp: batch}, out))


def _custom_modules(path):
    """The project modules a saved ``.keras`` file's custom layers come from (its config names them)."""
    import json
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            config = json.loads(z.read("config.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return set()
    found, stack = set(), [config]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            module = node.get("module")
            if isinstance(module, str) and module.split(".")[0] in ("keras_nst", "super_res"):
                found.add(module)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _kind(shape, probe):
    """What a network is, by what it makes of a ``probe`` px RGB square (None: not an image network)."""
    if not shape or len(shape) != 4 or shape[1] != shape[2] or shape[3] != 3 or not shape[1]:
        return None
    if shape[1] == probe:
        return "an image-to-image network of the same size (a fast style model)"
    return f"an x{shape[1] / probe:g} upscaling network (a super-resolution model)"


def load_network(path, *, probe, scale, what, precision="float32"):
    """The image-to-image Keras network saved at ``path``, computing in ``precision`` (``in_precision``),
    or a one-line error naming the file: not a Keras model this tool can load, or not ``what`` (a
    ``probe`` px RGB square in must give a ``probe * scale`` px RGB square out), saying what it is
    instead."""
    import importlib

    for module in _custom_modules(path):  # the other task's layers: so that its file opens and is named
        importlib.import_module(module)
    try:
        model = keras.saving.load_model(path)
    except Exception as e:  # Keras raises assorted types for files that aren't its models
        raise NSTError(f"{path}: not a Keras model file this tool can load ({type(e).__name__}: {e})") from None
    try:
        shape = tuple(model.compute_output_shape((1, probe, probe, 3)))
    except Exception:  # a model of another input shape (a classifier) fails here
        shape = None
    side = probe * scale
    if shape != (1, side, side, 3):
        got = _kind(shape, probe)
        raise NSTError(f"{path}: {got + ', not' if got else 'not'} {what} ({probe}x{probe} RGB in gives {shape}, not "
                       f"{side}x{side} RGB)")
    return model if resolve_precision(precision) == "float32" else in_precision(model, precision)


def _graph(model):
    """``[(layer, ids of the tensors it reads, id of the one it makes)]`` of a one-input, one-output
    functional model of layers, in an order that runs; None for anything else (a layer used twice,
    several outputs, a bare ``keras.ops`` call, whose constants ``op.input`` does not hold), which
    then takes Keras' predict step."""
    try:
        (inp,), (out,) = model.inputs, model.outputs
        ops = [op for op in model.operations if not isinstance(op, keras.layers.InputLayer)]
        steps = [(op, [id(t) for t in keras.tree.flatten(op.input)], id(op.output)) for op in ops]
    except (AttributeError, ValueError, TypeError):  # not a functional model, or not one tensor in and out
        return None
    if not all(isinstance(op, keras.layers.Layer) for op in ops):
        return None
    made = {id(inp)}
    for _, inputs, output in steps:
        if not made.issuperset(inputs):
            return None
        made.add(output)
    return steps if id(out) in made else None
