"""Lesson 8's three experiments, and lesson 9's tweaks: content reconstruction, style reconstruction,
style transfer (per-layer style weights, blurred-noise start).

Each builds a VGG16_Avg sub-model for the layers it needs, computes the targets once, and lets
``solve_image`` (or an on-device optimiser from ``device_opt``) move the pixels of a start image
until its activations match them. Beyond the notebook: batches of content images sharing one
style, coarse-to-fine ``multires``, and bfloat16 ``precision="mixed"``.
"""

import time
from dataclasses import dataclass, field, replace

import keras
import numpy as np
from PIL import Image

from .defaults import CONTENT_LAYER, CONTENT_RECON_LAYER, CONTENT_WEIGHT, STYLE_LAYERS, STYLE_WEIGHTS
from .errors import NSTError
from .features import PRECISIONS, VGG16_Avg, as_list, deproc, feature_model, layer_spec, preproc
from . import device_opt
from .grads import device_loss_and_grad, numpy_step
from .image_io import load_image, resize
from .losses import content_loss, gram_matrix, style_loss
from .optimise import Evaluator, auto_loss_scale, blurred_noise, solve_image


EVALS_PER_ITER = 20  # one --iters round: the course's maxfun
_VGG = {}


def vgg16_avg(weights="auto", precision="float32"):
    """One VGG16_Avg per weights source, precision and process: building and checking it costs a second."""
    key = (str(weights), precision)
    if key not in _VGG:
        _VGG[key] = VGG16_Avg(weights=weights, precision=precision)
    return _VGG[key]


@dataclass
class Result:
    image: np.ndarray  # H x W x 3 uint8 RGB
    losses: list = field(default_factory=list)  # loss after each outer iteration
    seconds: float = 0.0
    evaluations: int = 0
    weights_source: str = ""
    loss_scale: float = 1.0
    start_loss: float = float("nan")  # loss of the start image, unscaled
    images: np.ndarray = None  # B x H x W x 3: every image of a batch (``image`` is the first)


def _image(img, size):
    return load_image(img, size) if isinstance(img, (str, bytes)) or hasattr(img, "__fspath__") else resize(img, size)


def _batch(images, size):
    """One image (path or array) or a list of them -> (B, h, w, 3) uint8, all resized to ``size``."""
    many = isinstance(images, (list, tuple)) or (isinstance(images, np.ndarray) and images.ndim == 4)
    batch = [_image(im, size) for im in (images if many else [images])]
    if len({im.shape for im in batch}) > 1:
        raise NSTError("images batched together must share a shape at this size; use style_transfer_batch")
    return np.stack(batch)


def style_spec(layers, weights):
    """Checked style layers and weights; custom layers without weights share the weight 1 equally."""
    return layer_spec(layers, weights, STYLE_LAYERS, STYLE_WEIGHTS)


def _start(init, shape, content, seed):
    if isinstance(init, np.ndarray):  # earlier results, e.g. the coarser level of --multires
        size = (shape[2], shape[1])
        return preproc(np.stack([np.asarray(Image.fromarray(im).resize(size, Image.LANCZOS)) for im in init]))
    if init == "content":
        if content is None:
            raise NSTError("--init content needs a content image")
        return preproc(content)
    if init == "noise":
        return blurred_noise(shape, seed)
    raise NSTError(f"unknown --init '{init}': use noise or content")


def build_objective(*, content=None, content_layer=CONTENT_LAYER, content_weight=1.0, style=None,
                    style_layers=STYLE_LAYERS, style_weights=None, weights="auto", precision="float32"):
    """The lesson's loss on VGG16_Avg activations: ``objective(scale)`` gives ``step(x) -> (scale *
    loss, its gradient)`` as device tensors. Also returns the VGG16 model's weights source.

    ``content`` (one image, or a batch of same-shape images: the losses are then means over the
    batch) and ``style`` are RGB uint8 arrays of any sizes; their targets (activations, Gram
    matrices) are computed here, once, and stay on the device.
    """
    style_layers, style_weights = style_spec(style_layers, style_weights) if style is not None else ([], [])
    if precision not in PRECISIONS:
        raise NSTError(f"unknown --precision '{precision}': use {' or '.join(PRECISIONS)}")
    vgg = vgg16_avg(weights, precision)
    names = list(dict.fromkeys(([content_layer] if content is not None else []) + style_layers))
    model = feature_model(vgg, names)

    def acts(img):  # one image, or a batch of content images sharing the style targets
        return dict(zip(names, as_list(model(preproc(img if img.ndim == 4 else img[None])))))

    targets = [acts(content)[content_layer]] if content is not None else []
    if style is not None:
        style_acts = acts(style)
        targets += [gram_matrix(style_acts[n]) for n in style_layers]

    def loss_fn(outputs, consts):  # consts: targets..., loss scale
        out = dict(zip(names, as_list(outputs)))
        total = 0.0
        if content is not None:
            total = content_weight * content_loss(out[content_layer], consts[0])
        if style is not None:
            grams = consts[content is not None: -1]
            total = total + style_loss([out[n] for n in style_layers], grams, style_weights)
        return consts[-1] * total

    step = device_loss_and_grad(model, loss_fn)

    def at_scale(scale=1.0):
        consts = targets + [keras.ops.convert_to_tensor(float(scale))]
        return lambda x: step(x, consts)

    return at_scale, vgg.weights_source


OPTIMIZERS = ("lbfgs-scipy", "lbfgs", "adam")


def optimise_image(shape, *, iters=10, init="noise", seed=0, loss_scale="auto", optimizer="lbfgs-scipy",
                   callback=None, **loss):
    """Optimise images of ``shape`` (B, h, w, 3) for ``build_objective(**loss)``; returns a ``Result``.

    ``optimizer``: ``lbfgs-scipy`` (the course: ``iters`` rounds of ``fmin_l_bfgs_b`` with
    ``maxfun=20``), or the on-device ``lbfgs`` / ``adam`` given ``iters * 20`` evaluations. Losses are
    reported unscaled (the course's definition); ``loss_scale`` only conditions the optimisation.
    """
    if optimizer not in OPTIMIZERS:
        raise NSTError(f"unknown --optimizer '{optimizer}': use {', '.join(OPTIMIZERS)}")
    x0 = _start(init, shape, loss.get("content"), seed)
    objective, source = build_objective(**loss)
    start_loss, grad = numpy_step(objective(1.0))(x0)
    scale = auto_loss_scale(grad) if loss_scale == "auto" else float(loss_scale)
    step = objective(scale)
    report = None if callback is None else (lambda i, x, value: callback(i, x, value / scale))
    started = time.perf_counter()
    if optimizer == "lbfgs-scipy":
        evaluator = Evaluator(numpy_step(step), shape)
        x, losses = solve_image(evaluator, iters, x0, callback=report)
        evaluations = evaluator.evaluations
    else:
        run = device_opt.lbfgs if optimizer == "lbfgs" else device_opt.adam
        x, losses, evaluations = run(step, x0, iters * EVALS_PER_ITER, callback=report, every=EVALS_PER_ITER)
        x = keras.ops.convert_to_numpy(x)
    seconds = time.perf_counter() - started
    images = deproc(x).round().astype(np.uint8)
    return Result(images[0], [v / scale for v in losses], seconds, evaluations, source, scale, start_loss, images)


def style_transfer(content, style, size=512, iters=10, content_layer=CONTENT_LAYER,
                   style_layers=STYLE_LAYERS, style_weights=None, content_weight=CONTENT_WEIGHT,
                   init="noise", seed=0, weights="auto", optimizer="lbfgs-scipy", multires=None,
                   precision="float32", callback=None):
    """Paint ``content`` in the style of ``style`` (paths or RGB arrays); output longer side ``size``.

    ``content`` may also be a list of images that share a shape at ``size``: one batch, one set of
    style targets (``Result.images``); ``style_transfer_batch`` takes images of any shapes.
    The style image is only rescaled to the same longer side, keeping its own aspect ratio: Gram
    matrices do not depend on the image's shape. ``multires`` (e.g. ``[256, 512, 1024]``, replacing
    ``size``) optimises coarse to fine, each level starting from the last result upsampled, so large
    results need fewer expensive full-size evaluations. ``iters`` rounds run at each level.
    """
    levels = sorted(int(s) for s in multires) if multires else [size]
    total = None
    for level in levels:
        c, s_ = _batch(content, level), _image(style, level)
        r = optimise_image(c.shape, content=c, content_layer=content_layer, content_weight=content_weight,
                           style=s_, style_layers=style_layers, style_weights=style_weights, iters=iters,
                           init=init if total is None else total.images, seed=seed, weights=weights,
                           optimizer=optimizer, precision=precision, callback=callback)
        if total is not None:  # one Result for the whole run: losses, evaluations and time add up
            r.losses, r.evaluations = total.losses + r.losses, total.evaluations + r.evaluations
            r.seconds, r.start_loss = total.seconds + r.seconds, total.start_loss
        total = r
    return total


def style_transfer_batch(contents, style, size=512, callback=None, **kwargs):
    """``style_transfer`` for many content images (the lesson: "64 of these will be done"): images of
    the same shape at ``size`` are optimised together as one batch sharing the style targets.

    Returns one ``Result`` per content image, in order; images of one batch share its losses,
    evaluation count and time. ``callback(i, x, loss)`` also gets ``batch=(k, n_batches, members)``,
    ``members`` being the indices into ``contents`` of the images in ``x``.
    """
    images = [_image(c, size) for c in contents]
    groups = {}
    for i, im in enumerate(images):
        groups.setdefault(im.shape, []).append(i)
    results = [None] * len(images)
    for k, members in enumerate(groups.values()):
        report = None if callback is None else (
            lambda i, x, loss, k=k, m=members: callback(i, x, loss, batch=(k, len(groups), m)))
        r = style_transfer([images[i] for i in members], style, size=size, callback=report, **kwargs)
        for j, i in enumerate(members):
            results[i] = replace(r, image=r.images[j], images=r.images[j:j + 1])
    return results


def content_reconstruction(content, size=512, iters=10, layer=CONTENT_RECON_LAYER, seed=0,
                           weights="auto", optimizer="lbfgs-scipy", precision="float32", callback=None):
    """Recreate ``content`` from noise using only its activations at ``layer`` (lesson 8)."""
    content = _image(content, size)
    return optimise_image((1, *content.shape), content=content, content_layer=layer, iters=iters,
                          seed=seed, weights=weights, optimizer=optimizer, precision=precision,
                          callback=callback)


def style_reconstruction(style, size=512, iters=10, style_layers=STYLE_LAYERS, style_weights=None,
                         seed=0, weights="auto", optimizer="lbfgs-scipy", precision="float32", callback=None):
    """Synthesise ``style``'s texture from noise by matching only its Gram matrices (lesson 8)."""
    style = _image(style, size)
    return optimise_image((1, *style.shape), style=style, style_layers=style_layers,
                          style_weights=style_weights, iters=iters, seed=seed, weights=weights,
                          optimizer=optimizer, precision=precision, callback=callback)
