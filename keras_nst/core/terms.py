"""Lessons 8 and 9's losses as one contract: an objective is a list of weighted terms.

Content (MSE of activations), style (MSE of Gram matrices), pixel (MSE or L1) and total variation
are each one ``Term``: it sees the image, the named VGG16 features of that image (a dict: layer name
-> activation) and its own constant, and returns a scalar. The constant comes from the term's
reference image through ``target`` (the content photo's activations, the style image's Gram
matrices, the high-res image itself), computed once (style transfer) or per batch (training).
A new term is one more definition here; the optimisers, trainers and the backend module never
change for it.

The Gram matrix correlates every pair of channels over all positions, so it keeps *what* textures
occur and forgets *where*: that is why a style image of any size or aspect ratio can be used.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from keras import ops
from PIL import Image

from .defaults import CONTENT_LAYER, PIXEL_LOSSES, STYLE_LAYERS, STYLE_STATS, STYLE_WEIGHTS
from .errors import NSTError, check_weight
from .vgg import as_list, check_layers, layer_spec


def gram_matrix(x):
    """(…, h, w, c) activations -> (…, c, c) channel correlations, normalised by h*w*c (the course's)."""
    h, w, c = x.shape[-3:]
    x = ops.cast(x, "float32")  # mixed precision: activations may be bfloat16, sums stay float32
    return ops.einsum("...ijc,...ijd->...cd", x, x) / (h * w * c)


def gram_diagonal(x):
    """The Gram matrix's diagonal only, as a (…, 1, c) matrix: each channel's mean energy, with no
    correlations between channels (the homework's variant: how much of a style is in the diagonal?)."""
    h, w, c = x.shape[-3:]
    x = ops.cast(x, "float32")
    return ops.expand_dims(ops.sum(ops.square(x), axis=(-3, -2)), -2) / (h * w * c)


STAT_FNS = dict(zip(STYLE_STATS, (gram_matrix, gram_diagonal)))  # the choices' functions, in their order


def mse(a, b):
    return ops.mean(ops.square(ops.cast(a, "float32") - ops.cast(b, "float32")))


def mae(a, b):
    return ops.mean(ops.abs(ops.cast(a, "float32") - ops.cast(b, "float32")))


def content_loss(activation, target):
    return mse(activation, target)


def style_loss(activations, target_grams, weights, stat=gram_matrix):
    """Weighted sum over layers of MSE between the Gram matrices (or another ``stat``) of
    ``activations`` and the targets."""
    return sum(w * mse(stat(a), g) for a, g, w in zip(activations, target_grams, weights))


def total_variation(x):
    """Mean squared difference between neighbouring pixels (grey levels²): high for noise and
    checkerboards, low for smooth areas (Mahendran & Vedaldi's regulariser with beta = 2)."""
    x = ops.cast(x, "float32")
    return ops.mean(ops.square(x[:, 1:, :-1] - x[:, :-1, :-1])) + ops.mean(ops.square(x[:, :-1, 1:] - x[:, :-1, :-1]))


@dataclass(frozen=True)
class Term:
    """One weighted term: ``weight * loss(image, features, const)``.

    ``layers``: the VGG16 layers ``loss`` reads from ``features``; ``target(image, features)``
    makes ``const`` from the term's reference image (None: the term needs no reference).
    """

    name: str
    weight: float
    loss: Callable
    layers: tuple = ()
    target: Callable = None


def content_term(layers=(CONTENT_LAYER,), layer_weights=None, *, weight=1.0, option="--content-weight"):
    """Activations of ``layers`` against the reference image's (lesson 8's content loss; lesson 9's
    perceptual loss is this term with several layers)."""
    layers = [layers] if isinstance(layers, str) else list(layers)
    layers, layer_weights = layer_spec(layers, layer_weights, layers, [1.0 / max(1, len(layers))] * len(layers),
                                       "content")
    return Term("content", check_weight(weight, option),
                lambda x, f, c: sum(w * mse(f[n], c[n]) for n, w in zip(layers, layer_weights)),
                tuple(layers), lambda image, f: {n: f[n] for n in layers})


def style_term(layers=STYLE_LAYERS, layer_weights=None, *, weight=1.0, name="style", option="--style-weight",
               stat="gram"):
    """Gram matrices of ``layers`` against the reference (style) image's; ``stat="diagonal"``
    matches only their diagonals."""
    layers, layer_weights = layer_spec(layers, layer_weights, STYLE_LAYERS, STYLE_WEIGHTS)
    if stat not in STAT_FNS:
        raise NSTError(f"unknown --style-stat '{stat}': use {' or '.join(STYLE_STATS)}")
    fn = STAT_FNS[stat]
    return Term(name, check_weight(weight, option),
                lambda x, f, c: style_loss([f[n] for n in layers], [c[n] for n in layers], layer_weights, fn),
                tuple(layers), lambda image, f: {n: fn(f[n]) for n in layers})


def masked_gram(x, mask):
    """Gram matrix of the activations inside ``mask`` (h, w; 0-1) only, normalised by the mask's own
    area, so that a region's statistics compare with a whole style image's."""
    h, w, c = x.shape[-3:]
    m = ops.convert_to_tensor(mask.reshape(h, w, 1), "float32")
    x = ops.cast(x, "float32") * m
    return ops.einsum("...ijc,...ijd->...cd", x, x) / (max(float((mask**2).sum()), 1e-6) * c)


def grid_mask(mask, h, w):
    """``mask`` (H, W; 0-1) averaged down to a feature layer's h x w grid."""
    return np.asarray(Image.fromarray(mask.astype("float32"), "F").resize((w, h), Image.BOX), "float32")


class _Grids(dict):
    """``mask`` (H, W; 0-1) averaged down to each feature layer's grid, once per shape (feature
    shapes are static)."""

    def __init__(self, mask):
        super().__init__()
        self.mask = np.asarray(mask, "float32")

    def __missing__(self, hw):
        self[hw] = grid_mask(self.mask, *hw)
        return self[hw]


def masked_style_term(mask, layers=STYLE_LAYERS, layer_weights=None, *, weight=1.0, name="style",
                      option="--style-blend"):
    """The style term inside one region (the lesson's "one style in one half, another in the other"):
    ``mask`` (H, W; 0-1) is resized to every feature layer's grid. The reference's Gram matrices are
    its whole image's (harmonization sets its own: the matched painting positions')."""
    layers, layer_weights = layer_spec(layers, layer_weights, STYLE_LAYERS, STYLE_WEIGHTS)
    grids = _Grids(mask)

    def loss(x, f, c):
        return sum(lw * mse(masked_gram(f[n], grids[f[n].shape[1:3]]), c[n]) for n, lw in zip(layers, layer_weights))

    def target(image, f):
        return {n: gram_matrix(f[n]) for n in layers}

    return Term(name, check_weight(weight, option), loss, tuple(layers), target)


def histogram_term(mask, layers, *, weight, name="histogram", option="--style-level"):
    """Risser et al. 2017's histogram loss inside ``mask`` (H, W; 0-1; a batch of one image): each
    channel's values at the region's positions against the reference's values there, handed out by
    the image's own ranks (an exact histogram match), the matched values held fixed. Sorting the
    image's values and comparing them in order with the reference's sorted ones is the same loss and
    gradient in one sort where the ranks took two (sorting a 400 px picture's block1 features is most
    of this term's time).
    The Gram matrix keeps a texture's correlations but not how its activations are spread; this
    term fixes their spread too, which stops the washed-out or over-contrasted patches Gram
    matching alone lets through."""
    layers = check_layers(layers)
    grids = _Grids(mask)

    def inside(a):  # (1, h, w, c) -> (n, c): the activations at the region's positions
        h, w, c = a.shape[1:]
        grid = grids[h, w].ravel()
        where = np.flatnonzero(grid > 0.5) if grid.max() > 0.5 else grid.argmax()[None]  # a tiny region: its core
        return ops.take(ops.reshape(ops.cast(a[0], "float32"), (h * w, c)), where, axis=0)

    def loss(x, f, c):
        total = 0
        for n in layers:
            total = total + mse(ops.sort(inside(f[n]), axis=0), c[n])
        return total / len(layers)

    return Term(name, check_weight(weight, option), loss, tuple(layers),
                lambda image, f: {n: ops.sort(inside(f[n]), axis=0) for n in layers})


def pixel_term(*, weight=1.0, kind="mse", option="--pixel-weight"):
    """The image itself against the reference image: MSE (PSNR's own measure) or L1 (EDSR's)."""
    if kind not in PIXEL_LOSSES:
        raise NSTError(f"unknown --pixel-loss '{kind}': use {' or '.join(PIXEL_LOSSES)}")
    fn = mse if kind == "mse" else mae
    return Term("pixel", check_weight(weight, option), lambda x, f, c: fn(x, c), (), lambda image, f: image)


def temporal_term(mask, *, weight, option="--temporal"):
    """Ruder et al. 2016's short-term temporal loss: the image against the previous frame's result
    warped onto this one (the reference), squared, only where ``mask`` (H, W; 0-1: where the optical
    flow is trusted) allows; what changes between frames elsewhere (new content) is free."""
    m = np.asarray(mask, "float32")[None, ..., None]
    return Term("temporal", check_weight(weight, option),
                lambda x, f, c: ops.mean(ops.convert_to_tensor(m) * ops.square(ops.cast(x, "float32") - c)), (),
                lambda image, f: ops.convert_to_tensor(np.asarray(image, "float32")))


def tv_term(*, weight, option="--tv-weight"):
    """Total variation of the image: smooths noise and checkerboards; needs no reference."""
    return Term("tv", check_weight(weight, option), lambda x, f, c: total_variation(x))


class Objective:
    """The weighted sum of ``terms``; terms of weight 0 are dropped, so they cost nothing (a
    pixel-only objective needs no VGG16 at all)."""

    def __init__(self, terms):
        names = [t.name for t in terms]
        if len(set(names)) != len(names):
            raise ValueError(f"term names must be unique, got {names}")
        self.terms = tuple(t for t in terms if t.weight)
        self.layers = tuple(dict.fromkeys(n for t in self.terms for n in t.layers))

    def features(self, outputs):
        """The feature model's outputs (one tensor, or a list in ``layers`` order) as a dict."""
        return dict(zip(self.layers, as_list(outputs))) if self.layers else {}

    def constants(self, references, features_of):
        """{term name: constant} for the terms named in ``references`` (name -> reference image, in
        the same space as the optimised image); ``features_of(image)`` gives its feature dict."""
        consts, seen = {}, {}
        for t in self.terms:
            image = references.get(t.name)
            if t.target is None or image is None:
                continue
            if id(image) not in seen:  # terms sharing a reference share its one VGG pass
                seen[id(image)] = features_of(image) if t.layers else {}
            consts[t.name] = t.target(image, seen[id(image)])
        return consts

    def __call__(self, image, features, consts):
        return sum(t.weight * t.loss(image, features, consts.get(t.name)) for t in self.terms)
