"""The 2018 lesson's closing project: paste an object into a painting so that it looks painted
(Luan et al. 2018, "Deep Painterly Harmonization"), with lesson 8's pieces.

Global style transfer inside a mask matches the *whole* painting's Gram matrices, so the pasted
object gets the painting's average texture and keeps its own colours: it still looks pasted. The
paper matches each part of the object to the painting's *nearby* statistics instead, in two passes:

1. coarse, robust: at each style layer (block3-5), every 3x3 feature patch of the composite inside
   the dilated mask is matched to its most similar painting patch (normalised cross-correlation,
   ``nearest_patches``); the style term is the masked Gram of the output against the Gram of the
   painting positions matched, each once (``used_grams``: the paper's rejection of repeated
   patches); content at block4 and block2 (the paper: block4 only).
2. fine, consistent, from pass 1's result: one mapping at a reference layer (block4), made spatially
   consistent (``consistent``: each position takes the candidate its neighbours agree on), carried
   to the other layers (``carry``); style at all five blocks, a histogram term (Risser et al. 2017)
   at block1 and block4, total variation.

The terms are the core's (``masked_style_term``, ``histogram_term``, ``content_term``,
``tv_term``) and the optimisation is the shared loop (``core.optimise.solve``): any optimiser,
precision and backend runs them unchanged. Then the paper's post-processing (``post``). Outside the
dilated mask the result is the painting, pixel for pixel. docs/harmonize.md says where this differs
from the paper.
"""

import time

import keras
import numpy as np
from PIL import Image

from ..core.defaults import PRECISION
from ..core.image_io import as_rgb, load_image, mask_at, resize
from ..core.optimise.loop import Run, chained, objective_steps, solve
from ..core.terms import Objective, content_term, grid_mask, histogram_term, masked_style_term, tv_term
from ..core.vgg import check_precision, feature_model, preproc, vgg16_avg
from .defaults import (
    HARMONIZE_CONTENT_LAYERS,
    HARMONIZE_DILATE,
    HARMONIZE_HISTOGRAM_LAYERS,
    HARMONIZE_ITERS,
    HARMONIZE_MARGIN,
    HARMONIZE_PASS1_LAYERS,
    HARMONIZE_PASS2_LAYERS,
    HARMONIZE_POST,
    HARMONIZE_REFERENCE_LAYER,
    STYLE_LEVEL,
)
from .inputs import check_composite, check_dilate, check_mask, check_post, dilate, level_weights
from .post import post_process

CHUNK = 1024  # composite patches matched at a time: bounds the similarity matrix's memory


def patches(f):
    """(h, w, c) features -> (h, w, 9c): each position's 3x3 neighbourhood (edges mirrored)."""
    p = np.pad(f, [(1, 1), (1, 1), (0, 0)], mode="reflect" if min(f.shape[:2]) > 1 else "edge")
    h, w = f.shape[:2]
    return np.concatenate([p[i:i + h, j:j + w] for i in range(3) for j in range(3)], axis=-1)


def _unit(rows):
    return rows / np.maximum(np.linalg.norm(rows, axis=-1, keepdims=True), 1e-8)


def nearest_patches(content, style, where, allowed=None):
    """For each position ``where`` (flat indices) of ``content`` (h, w, c), the flat index of the
    ``style`` (h', w', c) position whose 3x3 patch correlates best with it (normalised
    cross-correlation: the cosine of the two patches), as the paper's pass 1 (independent mapping).
    ``allowed``: the style positions that may be matched (flat indices; None: all)."""
    c = _unit(patches(content).reshape(-1, 9 * content.shape[-1])[where])
    s = _unit(patches(style).reshape(-1, 9 * style.shape[-1]))
    if allowed is None:
        allowed = np.arange(len(s))
    s = s[allowed]
    return allowed[np.concatenate([np.argmax(c[i:i + CHUNK] @ s.T, axis=1) for i in range(0, len(c), CHUNK)])]


def around(region, h, w):
    """The painting's positions on an h x w feature grid that lie outside the repainted ``region``
    (H, W; 0-1): the only ones the object may take its texture from. The painting under the object
    is what the object hides: matched there, the object would take the texture of its own background
    and let it show through (a ghost)."""
    outside = np.flatnonzero(grid_mask(region, h, w).ravel() <= 0.05)
    return outside if len(outside) else None


def consistent(mapping, style, shape, inside):
    """Pass 2's spatial consistency: ``mapping`` (h, w) of flat ``style`` indices at the positions
    ``inside`` (h, w bool). Each position's candidates are its neighbours' matches shifted back by
    the neighbour's offset; it takes the candidate whose painting features are closest to the other
    candidates' (the one its neighbourhood agrees on), so neighbouring positions map to neighbouring
    painting positions and the painting's texture arrives in coherent pieces."""
    h, w = shape
    sh, sw, c = style.shape
    flat = style.reshape(-1, c)
    out = mapping.copy()
    for y, x in zip(*np.nonzero(inside)):
        cands = []
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                ny, nx = y + dy, x + dx
                if 0 <= ny < h and 0 <= nx < w and inside[ny, nx]:
                    qy, qx = divmod(int(mapping[ny, nx]), sw)
                    qy, qx = qy - dy, qx - dx
                    if 0 <= qy < sh and 0 <= qx < sw:
                        cands.append(qy * sw + qx)
        cands = np.unique(cands)
        if len(cands) > 1:
            f = flat[cands]
            distances = ((f[:, None] - f[None]) ** 2).sum(-1).sum(1)
            out[y, x] = cands[np.argmin(distances)]
    return out


def carry(mapping, ref_shape, style_ref_shape, shape, style_shape):
    """A mapping at the reference layer (``ref_shape`` -> ``style_ref_shape`` grids) carried to a layer
    of grid ``shape`` (-> ``style_shape``): each position takes its reference cell's match, offset by
    where it lies inside that cell."""
    h, w = shape
    ry, rx = ref_shape[0] / h, ref_shape[1] / w
    sy, sx = style_shape[0] / style_ref_shape[0], style_shape[1] / style_ref_shape[1]
    ys, xs = np.mgrid[:h, :w]
    cy, cx = np.minimum((ys * ry).astype(int), ref_shape[0] - 1), np.minimum((xs * rx).astype(int), ref_shape[1] - 1)
    qy, qx = np.divmod(mapping[cy, cx], style_ref_shape[1])
    qy = np.clip((qy * sy).astype(int) + (ys - (cy / ry).astype(int)), 0, style_shape[0] - 1)
    qx = np.clip((qx * sx).astype(int) + (xs - (cx / rx).astype(int)), 0, style_shape[1] - 1)
    return qy * style_shape[1] + qx


def _features(model, layers, image):
    outputs = model(preproc(image[None]))
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    return {n: keras.ops.convert_to_numpy(keras.ops.cast(o, "float32"))[0] for n, o in zip(layers, outputs)}


def matched(composite_f, painting_f, region, mapping_of):
    """{layer: (1, h, w, c)} painting features moved to the composite's positions inside ``region``
    (H, W bool) by ``mapping_of(layer, where, grid_shape) -> flat painting indices``; zeros outside.
    Also {layer: those painting indices}."""
    out, used = {}, {}
    for n, f in composite_f.items():
        h, w, c = f.shape
        where = np.flatnonzero(grid_mask(region.astype("float32"), h, w).ravel() > 0.05)
        m = np.zeros((h * w, c), "float32")
        used[n] = mapping_of(n, where, (h, w))
        m[where] = painting_f[n].reshape(-1, c)[used[n]]
        out[n] = m.reshape(1, h, w, c)
    return out, used


def used_grams(painting_f, used, once=True):
    """The paper's rejection of repeated patches: each layer's Gram matrix over the painting
    positions the mapping ``used``, each counted ``once`` however many object positions map to it,
    so a patch matched everywhere (a flat patch of sky, of paper) cannot flatten the texture the
    object gets. Normalised as ``masked_gram``."""
    out = {}
    for n, idx in used.items():
        idx = np.unique(idx) if once else idx
        c = painting_f[n].shape[-1]
        f = painting_f[n].reshape(-1, c)[idx]
        out[n] = keras.ops.convert_to_tensor(f.T @ f / (len(idx) * c))
    return out


def _pass(terms, vgg, references, composite, start, run, callback, ready=None):
    """One optimisation: the terms' constants from ``references`` ({term name: features dict} or a
    content image) or ``ready`` ({term name: the constants themselves}), from ``start`` (H, W, 3 uint8)."""
    objective = Objective(terms)
    layer_model = feature_model(vgg, objective.layers)
    features_of = lambda x: objective.features(layer_model(x))
    consts = objective.constants({"content": preproc(composite[None])}, features_of)
    for t in objective.terms:  # the matched painting features stand in for a reference image's
        if t.name in references:
            consts[t.name] = t.target(None, {n: keras.ops.convert_to_tensor(v) for n, v in references[t.name].items()})
    consts.update(ready or {})
    return solve(objective_steps(objective, layer_model, consts), preproc(start[None]), run, callback=callback,
                 weights_source=vgg.weights_source, precision=check_precision(run.precision))


def _independent(comp_f, paint_f, soft):
    """Pass 1's mapping: each layer's own nearest painting patches, from around the object."""
    return lambda n, where, hw: nearest_patches(comp_f[n], paint_f[n], where, around(soft, *paint_f[n].shape[:2]))


def _consistent(comp_f, paint_f, soft, ref=HARMONIZE_REFERENCE_LAYER):
    """Pass 2's mapping: one at the reference layer, made consistent, carried to every layer."""
    rh, rw = comp_f[ref].shape[:2]
    inside = grid_mask(soft, rh, rw) > 0.05
    ref_map = np.zeros((rh, rw), int)
    ref_map[inside] = nearest_patches(comp_f[ref], paint_f[ref], np.flatnonzero(inside),
                                      around(soft, *paint_f[ref].shape[:2]))
    ref_map = consistent(ref_map, paint_f[ref], (rh, rw), inside)
    style_ref = paint_f[ref].shape[:2]
    return lambda n, where, hw: carry(ref_map, (rh, rw), style_ref, hw, paint_f[n].shape[:2]).ravel()[where]


def window(region, margin=HARMONIZE_MARGIN, cell=16):
    """The part of the picture the passes optimise, (y0, y1, x0, x1): ``region``'s bounding box grown
    by ``margin`` px, its corners on block5's ``cell`` px grid so that every layer's feature cells are
    the whole picture's. Only the region is kept, and its features see little beyond the margin, so
    the picture outside is left out of the evaluations (a small object costs a fraction of them)."""
    def span(hits, n):
        a = max(0, (int(hits.min()) - margin) // cell * cell)
        b = int(hits.max()) + 1 + margin
        return a, (n if b >= n else min(n, a + -(-(b - a) // cell) * cell))

    ys, xs = np.nonzero(region)
    return (*span(ys, region.shape[0]), *span(xs, region.shape[1]))


def _cells(a, win, layer):
    """(1, h, w, c) features of ``layer`` (``blockN_conv1``: cells of 2^(N-1) px) on the whole
    picture's grid -> the cells of ``win``."""
    y0, y1, x0, x1 = win
    s = 2 ** (int(layer[len("block"):].split("_")[0]) - 1)
    return a[:, y0 // s:y0 // s + (y1 - y0) // s, x0 // s:x0 // s + (x1 - x0) // s]


def _paste(result, painting, region):
    m = region[..., None]
    return np.where(m, result, painting).astype(np.uint8)


def harmonize(painting, composite, mask, *, size=None, multires=None, iters=HARMONIZE_ITERS,
              style_level=STYLE_LEVEL, dilate_px=None, post=HARMONIZE_POST, optimizer="lbfgs-scipy",
              precision=PRECISION, weights="auto", callback=None, passes=(1, 2)):
    """Paint the object pasted into ``composite`` (``mask``: the object, white) in the manner of
    ``painting`` (the same picture without it). Paths or RGB arrays; ``size``: the longer side the
    passes work at (None: the composite's own); ``multires`` (e.g. ``[400, 800, 1440]``, replacing
    ``size``): both passes at each size, coarse to fine, each level starting from the last result, so
    large pictures need few full-size evaluations. ``iters`` L-BFGS rounds per pass; ``style_level``
    1-10 sets the terms' weights (``STYLE_LEVELS``: higher, more painted); ``dilate_px`` grows the
    mask, in px of the result (None: ``HARMONIZE_DILATE`` of the longer side); ``post``: the paper's
    post-processing after the last level (a name of ``POSTS``: ``post.post_process``).
    ``callback(i, x, loss, stage=p)`` after each round of pass ``p``. Returns a ``Result`` (image,
    losses of every pass in turn, seconds, evaluations) with ``stages`` (``"pass 1"``: the last
    level's pass 1, pasted; ``"passes"``: the last pass, before the post-processing) and ``region``
    (the dilated mask)."""
    weights_ = level_weights(style_level)
    check_post(post)
    check_dilate(dilate_px)
    levels = sorted(int(s) for s in multires) if multires else [size]
    run = Run(iters=iters, optimizer=optimizer, precision=precision, weights=weights)
    vgg = vgg16_avg(weights, check_precision(precision))
    total = start = None
    for level in levels:
        art, comp = (_image(im, level) for im in (painting, composite))
        check_composite(art, comp)
        h, w = comp.shape[:2]
        obj = check_mask(mask_at(mask, (h, w)))
        region = dilate(obj, _dilation(dilate_px, max(h, w), levels[-1]))
        if start is not None:  # the coarser level's result, enlarged, where this level repaints
            start = _paste(np.asarray(Image.fromarray(start).resize((w, h), Image.LANCZOS)), art, region)
        total = chained(total, _passes(art, comp, region, comp if start is None else start, vgg, run, weights_,
                                       passes, callback))
        start = total.image
    total.stages["passes"] = total.image
    started = time.perf_counter()
    total.image = post_process(total.image, art, comp, total.region, post, mask=obj)
    total.images = total.image[None]
    total.seconds += time.perf_counter() - started
    return total


def _dilation(px, side, final):
    """The mask's growth at a level whose longer side is ``side``: ``px`` of the result (scaled to the
    level), or ``HARMONIZE_DILATE`` of the side."""
    if px is None:
        return round(HARMONIZE_DILATE * side)
    return round(px * side / final) if final else int(px)


def _passes(painting, composite, region, image, vgg, run, weights_, passes, callback):
    """The passes at one size, from ``image``; a ``Result`` whose image is the last pass's, pasted."""
    every = tuple(dict.fromkeys((*HARMONIZE_PASS1_LAYERS, *HARMONIZE_PASS2_LAYERS, HARMONIZE_REFERENCE_LAYER)))
    feats = feature_model(vgg, every)
    comp_f, paint_f = _features(feats, every, composite), _features(feats, every, painting)
    soft = region.astype("float32")
    win = window(region)
    cut = np.s_[win[0]:win[1], win[2]:win[3]]
    total, first = None, None
    for stage in passes:
        layers = HARMONIZE_PASS1_LAYERS if stage == 1 else HARMONIZE_PASS2_LAYERS
        mapping_of = (_independent if stage == 1 else _consistent)(comp_f, paint_f, soft)
        terms = [content_term(list(HARMONIZE_CONTENT_LAYERS), list(HARMONIZE_CONTENT_LAYERS.values()),
                              weight=weights_.content),
                 masked_style_term(soft[cut], layers, weight=weights_.style, option="--style-level"),
                 *([histogram_term(soft[cut], HARMONIZE_HISTOGRAM_LAYERS, weight=weights_.histogram)]
                   if stage == 2 else []),
                 tv_term(weight=weights_.tv)]
        wanted = set(layers) | (set(HARMONIZE_HISTOGRAM_LAYERS) if stage == 2 else set())
        moved, used = matched({n: comp_f[n] for n in wanted}, paint_f, region, mapping_of)
        references = {"histogram": {n: _cells(v, win, n) for n, v in moved.items()}}
        ready = {"style": used_grams(paint_f, {n: used[n] for n in layers})}
        report = None if callback is None else _whole(callback, image, cut, stage)
        total = chained(total, _pass(terms, vgg, references, composite[cut], image[cut], run, report, ready))
        whole = image.copy()
        whole[cut] = total.image
        image = _paste(whole, painting, region)
        if stage == 1:
            first = image
    total.image, total.images = image, image[None]
    total.stages = {"pass 1": first}
    total.region = region
    return total


def _whole(callback, image, cut, stage):
    """The callback with each round's window shown in the whole picture."""
    around = preproc(image[None])

    def report(i, x, loss):
        whole = around.copy()
        whole[(slice(None), *cut)] = keras.ops.convert_to_numpy(x)
        callback(i, whole, loss, stage=stage)
    return report


def _image(img, size):
    if isinstance(img, np.ndarray):
        return resize(img, size) if size else as_rgb(img)
    return load_image(img, size)
