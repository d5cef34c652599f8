"""Lesson 8's three experiments, and lesson 9's tweaks: content reconstruction, style reconstruction,
style transfer (per-layer style weights, blurred-noise start).

Each states its loss as terms (``core.terms``: content, style, total variation), computes their
targets once on a VGG16_Avg sub-model, and lets the shared optimiser (``core.optimise``: the
course's ``solve_image``, or an on-device one) move the pixels of a start image until its
activations match them. Beyond the notebook: batches of content images sharing one style,
coarse-to-fine ``multires``, and bfloat16 ``precision="mixed"``, the default (``auto``) where the
hardware computes it natively.
"""

from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from scipy.ndimage import gaussian_filter

from ..core.colors import keep_luminance, match_colors
from ..core.defaults import CONTENT_LAYER, PRECISION, STYLE_LAYERS, STYLE_STATS
from ..core.errors import NSTError, blend_weights, check_weight
from ..core.image_io import MIN_SIDE, load_image, mask_at, resize
from ..core.optimise.evaluator import blurred_noise
from ..core.optimise.loop import Result, Run, chained, check_optimizer, objective_steps, solve
from ..core.terms import Objective, content_term, masked_style_term, style_term, temporal_term, tv_term
from ..core.vgg import check_precision, feature_model, preproc, vgg16_avg
from .defaults import CONTENT_RECON_LAYER, CONTENT_WEIGHT, INITS, NOISE_BLUR, TV_WEIGHT
from .options import check_controls

__all__ = ["Loss", "Result", "Run", "Start", "build_objective", "content_reconstruction", "optimise_image",
           "style_reconstruction", "style_transfer", "style_transfer_batch"]


@dataclass(frozen=True)
class Loss:
    """What the image should match: the terms' settings (``None`` layers: that term is off)."""

    content_layer: str = None
    content_weight: float = CONTENT_WEIGHT
    style_layers: tuple = None
    style_weights: tuple = None
    style_blend: tuple = None  # one weight per style image when there are several (normalised)
    style_masks: tuple = None  # one (h, w) 0-1 mask per style image: each style only in its region
    style_stat: str = STYLE_STATS[0]  # "gram", or "diagonal": the Gram matrices' diagonals only
    tv_weight: float = TV_WEIGHT
    temporal: tuple = None  # video: (the previous result warped onto this frame (h, w, 3), trusted mask, weight)


@dataclass(frozen=True)
class Start:
    """Where the optimisation starts."""

    init: object = "noise"  # "noise", "content", "style", or start images (B, h, w, 3) uint8
    seed: int = 0
    blur: float = 0.0  # Gaussian sigma (px) applied to the start image (--init-blur)
    noise_blur: float = NOISE_BLUR  # the noise start's own blur: lesson 9's 2 px; 0 for lesson 8's plain noise


def _image(img, size):
    return load_image(img, size) if isinstance(img, (str, bytes)) or hasattr(img, "__fspath__") else resize(img, size)


def _batch(images, size):
    """One image (path or array) or a list of them -> (B, h, w, 3) uint8, all resized to ``size``."""
    many = isinstance(images, (list, tuple)) or (isinstance(images, np.ndarray) and images.ndim == 4)
    batch = [_image(im, size) for im in (images if many else [images])]
    if len({im.shape for im in batch}) > 1:
        raise NSTError("images batched together must share a shape at this size; use style_transfer_batch")
    return np.stack(batch)


def _fill(images, shape):
    """Images resized to the batch's (h, w), one per batch member."""
    size = (shape[2], shape[1])
    images = [np.asarray(Image.fromarray(im).resize(size, Image.LANCZOS)) for im in images]
    return np.stack((images * shape[0])[:shape[0]])


def _first(style):
    """The first style image (of a list, or of a batch)."""
    style = style[0] if isinstance(style, list) else style
    return style[0] if style.ndim == 4 else style


def _start(init, shape, content, style, seed, blur=0.0, noise_blur=NOISE_BLUR):
    """The start image in preprocessed space: earlier results (--multires), noise (blurred by
    ``noise_blur``, as lesson 9), the content, or the style resized to the output's shape; ``blur``
    (--init-blur) smooths whichever it is."""
    if isinstance(init, np.ndarray):  # earlier results, e.g. the coarser level of --multires
        return preproc(_fill(list(init), shape))
    if init not in INITS:
        raise NSTError(f"unknown --init '{init}': use {' or '.join(INITS)}")
    if init == "arbitrary":
        raise NSTError("init='arbitrary': pass the one-pass pictures themselves as init (keras_nst.arbitrary.painter)")
    if init in ("content", "style") and {"content": content, "style": style}[init] is None:
        raise NSTError(f"--init {init} needs a {init} image")
    noise_blur = check_weight(noise_blur, "--noise-blur")
    x = {"noise": lambda: blurred_noise(shape, seed, noise_blur), "content": lambda: preproc(content),
         "style": lambda: preproc(_fill([_first(style)], shape))}[init]()
    return gaussian_filter(x, [0, blur, blur, 0]).astype("float32") if blur else x


def build_objective(*, content=None, style=None, loss=Loss(), weights="auto", precision=PRECISION):
    """The lesson's loss as terms on VGG16_Avg activations: ``objective(scale)`` gives ``step(x) ->
    (scale * loss, its gradient)`` as device tensors. Also returns the VGG16 model's weights source.

    ``content`` (one image, or a batch of same-shape images: the losses are then means over the
    batch) and ``style`` (one image, or a list blended by ``loss.style_blend``) are RGB uint8 arrays
    of any sizes; their targets (activations, Gram matrices) are computed here, once, and stay on
    the device.
    """
    terms = []
    if content is not None:
        terms.append(content_term([loss.content_layer or CONTENT_LAYER], weight=loss.content_weight))
    styles = style if isinstance(style, list) else [] if style is None else [style]
    check_controls(styles=len(styles), style_blend=loss.style_blend, content_weight=loss.content_weight,
                   tv_weight=loss.tv_weight, style_masks=loss.style_masks, style_stat=loss.style_stat)
    blend = blend_weights(loss.style_blend, len(styles)) if styles else []
    layers = loss.style_layers or STYLE_LAYERS
    if loss.style_masks is not None:  # one masked term per style, each against its own image
        terms += [masked_style_term(m, layers, loss.style_weights, weight=w * len(styles), name=f"style{i}")
                  for i, (m, w) in enumerate(zip(loss.style_masks, blend))]
    elif styles:
        terms.append(style_term(layers, loss.style_weights, stat=loss.style_stat))
    terms.append(tv_term(weight=loss.tv_weight))
    if loss.temporal is not None:
        terms.append(temporal_term(loss.temporal[1], weight=loss.temporal[2]))
    objective = Objective(terms)
    vgg = vgg16_avg(weights, check_precision(precision))
    model = feature_model(vgg, objective.layers)

    def batch(img):
        return preproc(img if img.ndim == 4 else img[None])

    features_of = lambda x: objective.features(model(x))
    consts = objective.constants({"content": None if content is None else batch(content),
                                  "temporal": None if loss.temporal is None else batch(loss.temporal[0]),
                                  **{f"style{i}": batch(s) for i, s in enumerate(styles)}}, features_of)
    if styles and loss.style_masks is None:
        # several styles: their Gram targets blended (= neural-style's blended losses, up to a constant)
        per_style = [objective.constants({"style": batch(s)}, features_of)["style"] for s in styles]
        consts["style"] = {n: sum(w * grams[n] for w, grams in zip(blend, per_style)) for n in per_style[0]}
    return objective_steps(objective, model, consts), vgg.weights_source


def optimise_image(shape, *, content=None, style=None, loss=Loss(), run=Run(), start=Start(), callback=None):
    """Optimise images of ``shape`` (B, h, w, 3) for ``build_objective``; returns a ``Result``.

    ``run.optimizer``: ``lbfgs-scipy`` (the course: ``iters`` rounds of ``fmin_l_bfgs_b`` with
    ``maxfun=20``), or the on-device ``lbfgs`` / ``adam`` given ``iters * EVALS_PER_ITER`` evaluations. Losses are
    reported unscaled (the course's definition); the loss scale only conditions the optimisation.
    """
    check_optimizer(run.optimizer)
    x0 = _start(start.init, shape, content, style, start.seed, start.blur, start.noise_blur)
    precision = check_precision(run.precision)
    objective, source = build_objective(content=content, style=style, loss=loss, weights=run.weights,
                                        precision=precision)
    return solve(objective, x0, run, callback=callback, weights_source=source, precision=precision)


def style_transfer(content, style, *, size=512, iters=10, content_layer=CONTENT_LAYER, style_layers=STYLE_LAYERS,
                   style_weights=None, content_weight=CONTENT_WEIGHT, tv_weight=TV_WEIGHT, init="noise", seed=0,
                   weights="auto", optimizer="lbfgs-scipy", multires=None, precision=PRECISION, callback=None,
                   preserve_color=None, style_scale=1.0, init_blur=0.0, style_blend=None, mask=None,
                   style_masks=None, style_stat=STYLE_STATS[0], noise_blur=NOISE_BLUR, temporal=None):
    """Paint ``content`` in the style of ``style`` (paths or RGB arrays); output longer side ``size``.

    ``content`` may also be a list of images that share a shape at ``size``: one batch, one set of
    style targets (``Result.images``); ``style_transfer_batch`` takes images of any shapes.
    The style image is only rescaled to the same longer side, keeping its own aspect ratio: Gram
    matrices do not depend on the image's shape. ``multires`` (e.g. ``[256, 512, 1024]``, replacing
    ``size``) optimises coarse to fine, each level starting from the last result upsampled, so large
    results need fewer expensive full-size evaluations. ``iters`` rounds run at each level.
    ``tv_weight`` adds total variation (smoother, less noisy results). ``preserve_color``: "luminance"
    keeps the content's chroma in the result, "histogram" gives the style image the content's colour
    histogram first. ``style_scale`` resizes the style image relative to the output (larger: larger
    brush strokes). ``init`` may also be "style"; ``init_blur`` blurs the start image. ``style`` may
    be a list of styles, their Gram targets blended by ``style_blend`` (normalised; default equal).
    ``mask`` (a path or an (h, w) array, white = 1): only the white region is stylised, the black one
    stays the content, grey blends. ``style_masks`` (one per style): each style's Gram term sees only
    its own region (masks resized to every layer's grid). Masks must have the content's aspect ratio.
    ``style_stat="diagonal"`` matches only the Gram matrices' diagonals; ``noise_blur`` is the
    noise start's blur (lesson 9's 2 px; 0: lesson 8's plain noise). ``temporal`` (video, one size):
    (the previous frame's result warped onto this one, the mask where that is trusted, the weight)
    adds Ruder et al.'s temporal term.
    """
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    check_controls(styles=len(styles), style_blend=style_blend, preserve_color=preserve_color, style_scale=style_scale,
                   init_blur=init_blur, content_weight=content_weight, tv_weight=tv_weight, noise_blur=noise_blur,
                   style_masks=style_masks, style_stat=style_stat)
    loss = Loss(content_layer=content_layer, content_weight=content_weight, style_layers=tuple(style_layers),
                style_weights=style_weights, tv_weight=tv_weight, style_stat=style_stat,
                style_blend=None if style_blend is None else tuple(style_blend), temporal=temporal)
    run = Run(iters=iters, optimizer=optimizer, precision=precision, weights=weights)
    start = Start(init=init, seed=seed, blur=init_blur, noise_blur=noise_blur)
    levels = sorted(int(s) for s in multires) if multires else [size]
    shape = _batch(content, levels[-1]).shape[1:3]
    mask = None if mask is None else mask_at(mask, shape)
    style_masks = None if style_masks is None else tuple(mask_at(m, shape, "--style-masks") for m in style_masks)
    loss = replace(loss, style_masks=style_masks)
    total = None
    for level in levels:
        c = _batch(content, level)
        s_ = [_image(s, max(MIN_SIDE, round(level * style_scale))) for s in styles]
        if preserve_color == "histogram":
            s_ = [match_colors(s, c) for s in s_]
        s_ = s_ if len(s_) > 1 else s_[0]
        total = chained(total, optimise_image(c.shape, content=c, style=s_, loss=loss, run=run, callback=callback,
                                              start=start if total is None else replace(start, init=total.images)))
    if preserve_color == "luminance":
        total.images = keep_luminance(total.images, _batch(content, levels[-1]))
    if mask is not None:  # the black region is the content itself; soft masks blend
        m = mask[None, ..., None]
        total.images = (m * total.images + (1 - m) * _batch(content, levels[-1])).round().astype(np.uint8)
    total.image = total.images[0]
    return total


def style_transfer_batch(contents, style, *, size=512, callback=None, **kwargs):
    """``style_transfer`` for many content images (the lesson: "64 of these will be done"): images of
    the same shape at ``size`` are optimised together as one batch sharing the style targets.

    Returns one ``Result`` per content image, in order; images of one batch share its losses,
    evaluation count and time. ``callback(i, x, loss)`` also gets ``batch=(k, n_batches, members)``,
    ``members`` being the indices into ``contents`` of the images in ``x``. ``init`` may also be a
    list of start pictures, one per content image (e.g. each photo's one-pass painting).
    """
    starts = kwargs.pop("init", INITS[0])
    images = [_image(c, size) for c in contents]
    groups = {}
    for i, im in enumerate(images):
        groups.setdefault(im.shape, []).append(i)
    results = [None] * len(images)
    for k, members in enumerate(groups.values()):
        report = None if callback is None else (
            lambda i, x, loss, k=k, m=members: callback(i, x, loss, batch=(k, len(groups), m)))
        init = np.stack([_fill([starts[i]], (1, *images[i].shape[:2]))[0] for i in members]) \
            if isinstance(starts, list) else starts
        r = style_transfer([images[i] for i in members], style, size=size, callback=report, init=init, **kwargs)
        for j, i in enumerate(members):
            results[i] = replace(r, image=r.images[j], images=r.images[j:j + 1])
    return results


def content_reconstruction(content, *, size=512, iters=10, layer=CONTENT_RECON_LAYER, tv_weight=TV_WEIGHT, seed=0,
                           weights="auto", optimizer="lbfgs-scipy", precision=PRECISION, callback=None,
                           noise_blur=NOISE_BLUR):
    """Recreate ``content`` from noise using only its activations at ``layer`` (lesson 8)."""
    content = _image(content, size)
    return optimise_image((1, *content.shape), content=content, callback=callback,
                          loss=Loss(content_layer=layer, content_weight=1.0, tv_weight=tv_weight),
                          run=Run(iters=iters, weights=weights, optimizer=optimizer, precision=precision),
                          start=Start(seed=seed, noise_blur=noise_blur))


def style_reconstruction(style, *, size=512, iters=10, style_layers=STYLE_LAYERS, style_weights=None,
                         tv_weight=TV_WEIGHT, seed=0, weights="auto", optimizer="lbfgs-scipy", precision=PRECISION,
                         callback=None, noise_blur=NOISE_BLUR, style_stat=STYLE_STATS[0]):
    """Synthesise ``style``'s texture from noise by matching only its Gram matrices (lesson 8);
    ``noise_blur=0`` starts from lesson 8's plain noise, ``style_stat="diagonal"`` matches only the
    Grams' diagonals."""
    style = _image(style, size)
    return optimise_image((1, *style.shape), style=style, callback=callback,
                          loss=Loss(style_layers=tuple(style_layers), style_weights=style_weights,
                                    tv_weight=tv_weight, style_stat=style_stat),
                          run=Run(iters=iters, weights=weights, optimizer=optimizer, precision=precision),
                          start=Start(seed=seed, noise_blur=noise_blur))
