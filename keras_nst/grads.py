"""The one backend-specific module: loss and gradient with respect to the image (lesson 8's K.gradients).

Keras 3 has no backend-neutral ``gradients``; each backend differentiates its own way: TensorFlow
with a GradientTape inside ``tf.function``, JAX with ``jax.value_and_grad`` under ``jax.jit`` (the
model called statelessly, so its weights are arguments, not 58 MB of baked-in constants), torch with
autograd. Everything else in the project uses ``keras.ops`` only.
"""

import keras
import numpy as np


def loss_and_grad(model, loss_fn):
    """Return ``f(x, consts) -> (loss: float, grad: float32 ndarray)`` for ``loss_fn(model(x), consts)``.

    ``x`` is a float32 NumPy image batch in preprocessed space; ``consts`` (targets, loss scale) are
    backend tensors made once by the caller, so they stay on the device and changing them
    recompiles nothing.
    """
    backend = keras.backend.backend()
    if backend == "tensorflow":
        step = _tensorflow(model, loss_fn)
    elif backend == "jax":
        step = _jax(model, loss_fn)
    elif backend == "torch":
        step = _torch(model, loss_fn)
    else:
        raise RuntimeError(f"Keras backend '{backend}' is not supported: use tensorflow, jax or torch")

    def f(x, consts):
        loss, grad = step(np.asarray(x, dtype="float32"), consts)
        return float(keras.ops.convert_to_numpy(loss)), keras.ops.convert_to_numpy(grad)

    return f


def _tensorflow(model, loss_fn):
    import tensorflow as tf

    @tf.function(reduce_retracing=True, autograph=False)  # plain Python control flow only: nothing to convert
    def step(x, consts):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(model(x), consts)
        return loss, tape.gradient(loss, x)

    return lambda x, consts: step(tf.convert_to_tensor(x), consts)


def _jax(model, loss_fn):
    import jax

    def total(x, trainable, non_trainable, consts):
        outputs, _ = model.stateless_call(trainable, non_trainable, x)
        return loss_fn(outputs, consts)

    step = jax.jit(jax.value_and_grad(total))
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]
    return lambda x, consts: step(x, trainable, non_trainable, consts)


def _torch(model, loss_fn):
    import torch

    def step(x, consts):
        x = keras.ops.convert_to_tensor(x).requires_grad_(True)  # on Keras' device (GPU when there is one)
        loss = loss_fn(model(x), consts)
        (grad,) = torch.autograd.grad(loss, x)
        return loss.detach(), grad

    return step
