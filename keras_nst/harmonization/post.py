"""Harmonization's post-processing (Luan et al. 2018, as their ``filt_cnn_artifact.m`` runs it), in
pixels, after the two passes.

The optimised object keeps colours the painting never had: high-frequency colour noise from the
network's gradients and, where the object's own colours survive, hues foreign to the painting. The
paper removes both in two steps, kept here:

1. **chrominance denoising**: the result's chrominance (CIELAB a, b) smoothed by a guided filter
   (He et al. 2010) whose guide is the composite, so colour edges follow the object's own edges
   and the noise between them goes; the luminance, which carries the brush strokes, is kept;
2. **patch refinement**: every 7x7 patch of the denoised result matched to its nearest painting
   patch (squared distance; approximate, as the paper's PatchMatch) and the overlapping patches
   averaged, so every colour comes from the painting. The paper keeps that rebuilt picture whole
   (plus the result's finest detail); here only its chrominance is kept and the luminance stays
   the denoised result's. A thin or small part of the object (a lattice bar, a frame, a letter
   one or two pixels wide) has no painting patch like it, so the nearest patch is the painting's
   background (sky behind a bar) and the rebuild averages it away: the object dissolves. In
   luminance it survives, with the strokes the passes painted into it; the colours are still the
   painting's (docs/harmonize.md measures both ways: the object's edges, palette, texture). The
   rebuilt chrominance of such a part is still the background's, though: a dark iron spire on a
   blue sky turns blue, and a leg over dark houses turns the houses' colour, gone where only its
   hue told it from them. So the parts of the object thinner than a patch (what a patch-wide
   opening removes) take the painting colour nearest the object's own instead (the composite's
   chrominance at the result's luminance): still the painting's palette, the object's own hue
   where the painting has one like it.

The refined object is blended into the painting through the region's mask, feathered inside it,
so that outside the dilated mask the result stays the painting, pixel for pixel. Like the passes,
the refinement takes its patches from the painting *around* the object only: the painting under it
is what the object hides.
"""

import warnings

import cv2
import numpy as np
from scipy import ndimage
from scipy.spatial import cKDTree
from skimage.color import lab2rgb, rgb2lab

from .defaults import HARMONIZE_POST, POST_DIMS, POST_PATCH, POSTS
from .inputs import check_post

CHUNK = 65536  # patches projected at a time
PALETTE = 20000  # the painting's colours a thin part's pixel is matched to (a regular sample)
FLANN_TREES, FLANN_CHECKS = 4, 64  # the balloon at 400 px: 1.1 s where an exact search takes 4 s, 10 % farther


def post_process(result, painting, composite, region, post=HARMONIZE_POST, *, mask=None):
    """``result`` (H, W, 3 uint8: the passes' output, the painting outside ``region``) after the
    ``post`` steps (a name of ``POSTS``); the painting outside ``region`` (H, W bool) unchanged.
    ``mask`` (H, W, 0-1): the object itself, whose parts thinner than a patch keep their own hue
    (None: ``region``)."""
    steps = POSTS[check_post(post)]
    out = result.astype("float32") / 255
    if "denoise" in steps:
        out = denoise(out, composite.astype("float32") / 255, region)
    if "refine" in steps:
        obj = region if mask is None else np.asarray(mask) > 0.5
        out = refine(out, painting.astype("float32") / 255, region, obj, composite.astype("float32") / 255)
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def denoise(image, guide, region):
    """``image``'s chrominance guided-filtered by ``guide`` (both H, W, 3 in 0-1) inside ``region``.
    The paper's radius 2 and eps 0.1^2 at 700 px, the radius scaled with the picture."""
    lab = rgb2lab(image).astype("float32")
    radius = max(1, round(2 * max(image.shape[:2]) / 700))
    for ch in (1, 2):
        lab[..., ch] = cv2.ximgproc.guidedFilter(guide, lab[..., ch], radius, 0.01)
    return _blend(np.clip(lab2rgb(lab), 0, 1).astype("float32"), image, region)


def refine(image, painting, region, obj, composite, patch=POST_PATCH):
    """``image`` inside ``region`` in the colours of the ``painting``'s ``patch`` x ``patch`` patches
    around the region (each image patch's nearest, overlapping ones averaged: their CIELAB a, b),
    with the image's own luminance; where the object ``obj`` (H, W bool) is thinner than a patch, in
    the painting colour nearest the object's own there (the ``composite``'s chrominance at the
    image's luminance)."""
    h, w = region.shape
    r = patch // 2
    near = cv2.dilate(region.astype(np.uint8), np.ones((patch, patch), np.uint8)) > 0  # every patch over the region
    outside = ~near
    if not outside.any():
        return image
    queries = np.flatnonzero(near & _every_other(h, w))
    candidates = np.flatnonzero(outside)
    padded = _mirrored(painting, r)  # once: the search reads its patches, the votes its pixels
    match = candidates[_nearest(*_reduced(_mirrored(image, r), queries, padded, candidates, r))]
    votes = np.zeros((h + 2 * r, w + 2 * r, 3), "float32")
    counts = np.zeros((h + 2 * r, w + 2 * r, 1), "float32")
    py, px = np.divmod(queries, w)
    my, mx = np.divmod(match, w)
    for dy in range(patch):
        for dx in range(patch):
            votes[py + dy, px + dx] += padded[my + dy, mx + dx]
            counts[py + dy, px + dx] += 1
    rebuilt = (votes / np.maximum(counts, 1))[r:r + h, r:r + w]
    # the painting's colours, the result's luminance: rebuilt whole, a bar thinner than a patch
    # would be averaged into the sky around it (the module's docstring). Only the region's pixels
    # are converted: the blend takes the image everywhere else.
    own = rgb2lab(image[region][None])[0]
    lab = rgb2lab(rebuilt[region][None])[0]
    lab[:, 0] = own[:, 0]
    thin = _thin(obj, patch)[region]
    if (t := thin > 0).any():  # the rebuild is the background's there: the nearest colour the painting has
        colours = painting[outside]
        colours = rgb2lab(colours[::max(1, len(colours) // PALETTE)][None])[0]  # the sample converted, not all
        wanted = np.concatenate([own[t, :1], rgb2lab(composite[region][t][None])[0, :, 1:]], 1)
        nearest = colours[cKDTree(colours).query(wanted)[1], 1:]
        lab[t, 1:] = thin[t, None] * nearest + (1 - thin[t, None]) * lab[t, 1:]
    with warnings.catch_warnings():  # a dark pixel given a vivid patch's chroma leaves sRGB: clipped, as meant
        warnings.simplefilter("ignore", UserWarning)
        out = image.copy()
        out[region] = np.clip(lab2rgb(lab[None])[0], 0, 1)
    return _blend(out, image, region)


def _thin(obj, patch):
    """How much each pixel belongs to a part of ``obj`` that no ``patch`` x ``patch`` square fits
    in (a bar, a spire, a stem): 0-1, softened over 2 px so that no seam shows where a thin part
    meets a thick one."""
    thin = obj & ~ndimage.binary_opening(obj, np.ones((patch, patch), bool))
    return cv2.GaussianBlur(thin.astype("float32"), (5, 5), 1)


def _nearest(q, s):
    """For each row of ``q``, a row of ``s`` near it in squared distance: FLANN's randomised k-d
    trees (approximate like the paper's PatchMatch, and linear-logarithmic in the patches, where an
    exact search grows with their product), seeded so that a run repeats."""
    cv2.setRNGSeed(0)
    index = cv2.flann_Index(np.ascontiguousarray(s, "float32"), dict(algorithm=1, trees=FLANN_TREES))
    return index.knnSearch(np.ascontiguousarray(q, "float32"), 1, params=dict(checks=FLANN_CHECKS))[0][:, 0]


def _every_other(h, w):
    """Patches on every second row and column: 7x7 patches still cover each pixel 16 times, at a
    quarter of the search."""
    grid = np.zeros((h, w), bool)
    grid[::2, ::2] = True
    return grid


def _reduced(image, queries, painting, candidates, r, dims=POST_DIMS):
    """The patches of ``image`` at ``queries`` and of ``painting`` at ``candidates`` (flat indices of
    the unpadded pictures; both given ``_mirrored`` by ``r``), projected on the candidates' ``dims``
    principal axes: distances barely change (natural patches are smooth), the search costs ``dims``
    / 147 of the full one, and the 147-long patches exist a chunk at a time only."""
    rng = np.random.default_rng(0)
    sample = _patches(painting, r, np.sort(rng.choice(candidates, min(len(candidates), 4096), replace=False)))
    mean = sample.mean(0)
    axes = np.linalg.svd(sample - mean, full_matrices=False)[2][:dims].T
    project = lambda im, where: np.concatenate([(_patches(im, r, where[i:i + CHUNK]) - mean) @ axes
                                                for i in range(0, len(where), CHUNK)])
    return project(image, queries), project(painting, candidates)


def _mirrored(image, r):
    """``image`` with its edges mirrored by ``r`` px, so every pixel has a whole patch."""
    return np.pad(image, [(r, r), (r, r), (0, 0)], mode="reflect")


def _patches(padded, r, where):
    """The (2r+1)^2 x 3 values of the patches centred at ``where`` (flat indices of the picture that
    ``padded`` is, ``_mirrored`` by ``r``)."""
    y, x = np.divmod(where, padded.shape[1] - 2 * r)
    k = 2 * r + 1
    return np.concatenate([padded[y + i, x + j] for i in range(k) for j in range(k)], axis=-1)


def _blend(new, old, region):
    """``new`` inside ``region``, feathered over its inner 3 px so no seam shows, ``old`` outside."""
    soft = cv2.GaussianBlur(region.astype("float32"), (7, 7), 3) * region
    soft = soft[..., None]
    return new * soft + old * (1 - soft)

