"""``harmonize`` against the naive baseline (``transfer --mask``: global style transfer inside the
mask) and the paper's own results, on the paper's examples in ../shared/data/harmonization.

For each example it prints one JSON line per method with seconds (pass 1, pass 2, post-processing)
and these figures:
``style``: the pasted region's Gram distance (block3_conv1) to the painting just around it, as a
ratio of the composite's (lower: painted like its surroundings); ``content``: how much of the
object's block4_conv1 activations survive, 1 - |F(out) - F(composite)| / |F(painting) - F(composite)|
inside the object (1: untouched, 0: the object gone); ``palette``: mean CIELAB distance of the
object's pixels to the nearest colour of the painting (lower: the painting's colours); ``outside``:
mean change beyond the dilated mask, grey levels; ``see_colour``, ``see_edges``: how much of the
painting hidden under the object shows through it (``see_through``); ``edges``: how much of the
object's own edges survive (``kept_edges``: 1 all at their strength, 0 none). ``--sheet`` writes
painting | composite | transfer --mask | harmonize | the paper, one row per example. ``--thin`` runs
our own thin object instead (a lattice tower 1-2 px wide drawn with Pillow on a painted sky:
tests/harmonization/test_thin_objects.py), its ``edges`` measured over the whole mask (eroded, a
bar 2 px wide leaves nothing), and ``--sheet`` writes its stages at 3x. ``--thin N`` draws a taller
lattice tower (curved legs, X braces and platforms 1-3 px wide, dark iron) into example N's painting
at ``--size``, standing in its lower part with its top in the sky (example 9: the Starry Night's
village and sky), measured part by part as well (``spire``, ``upper``: the lattice from the legs' meeting
point half way down, ``lower``: the legs' lower half, over the hills and houses), each part's ``stand_out``
its CIELAB distance to what lies 2-4 px around it (how much it stands out, in luminance and hue), and
``--sheet`` writes the tower's part of each stage at 2x.

    python benchmarks/harmonize_bench.py --size 400 --iters 5 --sheet docs/harmonize.jpg
    python benchmarks/harmonize_bench.py --thin --iters 5 --sheet docs/harmonize_thin.png
    python benchmarks/harmonize_bench.py --thin 9 --size 400 --sheet docs/harmonize_tower.jpg
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "harmonization"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
from keras_nst.harmonization.defaults import STYLE_LEVEL  # noqa: E402  (Keras-free)


def args_():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", nargs="+", type=int, default=list(range(10)))
    ap.add_argument("--size", type=int, default=400)
    ap.add_argument("--iters", type=int, default=5, help="rounds per pass (transfer --mask gets twice as many)")
    ap.add_argument("--style-level", type=int, default=STYLE_LEVEL)
    ap.add_argument("--sheet", metavar="OUT.jpg")
    ap.add_argument("--harmonize-only", action="store_true", help="leave out the transfer --mask baseline")
    ap.add_argument("--post-ablation", action="store_true",
                    help="also measure the passes' result before the post-processing, and after its denoising only")
    ap.add_argument("--repeats", action="store_true",
                    help="an ablation: the Gram targets count a painting patch as often as it is matched")
    ap.add_argument("--behind", action="store_true",
                    help="an ablation: let the object match the painting under it too (as before the fix)")
    ap.add_argument("--keep", metavar="DIR", help="write each example's passes, region and seconds to DIR/N.npz "
                                                  "(and transfer --mask's result to DIR/N_naive.npz)")
    ap.add_argument("--post-from", metavar="DIR",
                    help="the passes (and transfer --mask, where kept) from --keep's DIR instead of running them: "
                         "the post-processing alone, as now")
    ap.add_argument("--thin", nargs="?", const="own", metavar="N",
                    help="our own thin object (a Pillow lattice) instead of the ten; N: a lattice tower drawn into "
                         "example N's painting")
    return ap.parse_args()


def measures(out, painting, composite, mask, region, feats):
    from scipy.spatial import cKDTree
    from skimage.color import rgb2lab

    from keras_nst.core.terms import grid_mask

    obj = mask > 0.5
    f = {k: feats(v) for k, v in (("out", out), ("painting", painting), ("composite", composite))}
    g3 = lambda a, m: (lambda x: x.T @ x / max(len(x), 1))(a["block3_conv1"][grid_mask(m, *a["block3_conv1"].shape[:2])
                                                                              > 0.5])
    from keras_nst.harmonization.inputs import dilate

    ring = dilate(mask, round(0.1 * max(mask.shape))) & ~region
    around = g3(f["painting"], ring.astype("float32"))
    dist = lambda a: float(np.linalg.norm(g3(a, obj.astype("float32")) - around))
    b4 = lambda a: a["block4_conv1"][grid_mask(obj.astype("float32"), *a["block4_conv1"].shape[:2]) > 0.5]
    lab = lambda im: rgb2lab(im).reshape(-1, 3)
    tree = cKDTree(lab(painting)[:: max(1, painting.shape[0] * painting.shape[1] // 20000)])
    return dict(style=round(dist(f["out"]) / dist(f["composite"]), 3),
                content=round(1 - float(np.linalg.norm(b4(f["out"]) - b4(f["composite"]))
                                        / np.linalg.norm(b4(f["painting"]) - b4(f["composite"]))), 3),
                palette=round(float(tree.query(lab(out)[obj.ravel()])[0].mean()), 2),
                outside=round(float(np.abs(out.astype(int) - painting)[~region].mean()), 3),
                **see_through(out, painting, composite, obj), edges=kept_edges(out, painting, composite, obj))


def _edges(im):
    from scipy import ndimage

    grey = im.astype(float).mean(-1)
    return np.hypot(ndimage.sobel(grey, 0), ndimage.sobel(grey, 1))


def kept_edges(out, painting, composite, obj, erode=2):
    """How much of the object's own edges survive: inside the object eroded by 2 px (its outline
    is the painting's edge too), the result's Sobel magnitude fitted by least squares as a * the
    composite's + b * the painting's behind it + c; a (1: every edge of the object at its strength,
    0: none; the painting behind is a regressor so that its edges showing through count as
    neither)."""
    from scipy import ndimage

    inner = ndimage.binary_erosion(obj, iterations=erode) if erode else obj
    r, c, p = (_edges(a)[inner] for a in (out, composite, painting))
    return round(float(np.linalg.lstsq(np.stack([c, p, np.ones_like(c)], 1), r, rcond=None)[0][0]), 3)


def see_through(out, painting, composite, obj):
    """How much of the painting hidden under the object shows through it: inside the object, the
    result as the object plus a share of (painting behind - object), that share fitted by least
    squares, in colour (RGB) and in edges (Sobel magnitude of the grey image); 0: a solid object, 1:
    the painting behind it instead."""
    from scipy import ndimage

    def share(r, p, o):
        d = (p - o)[obj]
        return round(float(np.clip(((r - o)[obj] * d).sum() / max((d * d).sum(), 1e-9), -1, 2)), 3)

    grey = lambda im: im.astype(float).mean(-1)
    edges = lambda im: np.hypot(ndimage.sobel(grey(im), 0), ndimage.sobel(grey(im), 1))
    return dict(see_colour=share(*(a.astype(float) for a in (out, painting, composite))),
                see_edges=share(*(edges(a) for a in (out, painting, composite))))


TOWER = dict(top=0.13, neck=0.26, base=0.96)  # spire tip, where the legs meet, feet: shares of the height


def tower_scene(painting, at=0.75):
    """``painting`` with a lattice tower drawn in, its axis at ``at`` of the width, from near the
    bottom to an eighth from the top (``TOWER``): curved legs 3 px wide, X braces 1 px, two platforms
    3 px, a spire 2 px, dark iron with a photo's grain; as ``thin_scene``: painting, composite, mask
    (the drawing 1 px wider), the drawn pixels."""
    from PIL import ImageDraw
    from scipy import ndimage

    h, w = painting.shape[:2]
    cx, base, top, neck = at * w, *(TOWER[k] * h for k in ("base", "top", "neck"))
    leg = lambda y, side: cx + side * (0.01 * w + 0.085 * w * (1 - min((base - y) / (base - neck), 1)) ** 2)
    im = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(im)
    for side in (-1, 1):
        draw.line([(leg(y, side), y) for y in np.linspace(base, neck, 60)], fill=255, width=3)
    draw.line([(cx, top), (cx, neck + 2)], fill=255, width=2)
    levels = np.linspace(base, neck, 11)
    for i, y in enumerate(levels):
        draw.line([(leg(y, -1), y), (leg(y, 1), y)], fill=255, width=3 if i in (3, 6) else 1)
    for y, y2 in zip(levels, levels[1:]):  # an X brace between each level and the next
        draw.line([(leg(y, -1), y), (leg(y2, 1), y2)], fill=255, width=1)
        draw.line([(leg(y, 1), y), (leg(y2, -1), y2)], fill=255, width=1)
    drawn = np.asarray(im) > 0
    iron = np.array([62, 52, 46]) + np.random.default_rng(0).normal(0, 8, (h, w, 1))
    composite = painting.copy()
    composite[drawn] = np.clip(iron[drawn], 0, 255).astype(np.uint8)
    return painting, composite, ndimage.binary_dilation(drawn).astype("float32"), drawn


def tower_parts(drawn):
    """The drawn tower's spire, upper lattice and lower legs (``tower_scene``), as masks."""
    y = np.arange(drawn.shape[0])[:, None] / drawn.shape[0]
    middle = (TOWER["neck"] + TOWER["base"]) / 2
    return dict(spire=drawn & (y < TOWER["neck"]), upper=drawn & (y >= TOWER["neck"]) & (y < middle),
                lower=drawn & (y >= middle))


def stand_out(out, part):
    """How much ``part`` (H, W bool) stands out in ``out``: the CIELAB distance of its mean colour to
    that of the pixels 2-4 px around it (luminance and hue: a bar can be as dark as what lies behind
    it and still show by its colour)."""
    from scipy import ndimage
    from skimage.color import rgb2lab

    lab = rgb2lab(out)
    ring = ndimage.binary_dilation(part, iterations=4) & ~ndimage.binary_dilation(part)
    return round(float(np.linalg.norm(lab[part].mean(0) - lab[ring].mean(0))), 1)


def thin(args):
    """A thin object through ``harmonize``: the Pillow lattice on a painted sky, or a lattice tower
    drawn into a shared painting; one JSON line per stage."""
    sys.path.insert(0, str(ROOT / "tests" / "harmonization"))
    from scipy import ndimage
    from test_thin_objects import thin_scene

    from keras_nst.core.image_io import load_image
    from keras_nst.harmonization.passes import harmonize
    from keras_nst.harmonization.post import post_process

    own = args.thin == "own"
    painting, composite, mask, drawn = (thin_scene() if own else
                                        tower_scene(load_image(DATA / f"{args.thin}_target.jpg", args.size)))
    started = time.perf_counter()
    r = harmonize(painting, composite, mask, iters=args.iters, style_level=args.style_level)
    seconds = round(time.perf_counter() - started, 1)
    stages = {"pass 1": r.stages["pass 1"], "harmonize --post none": r.stages["passes"],
              "harmonize --post denoise": post_process(r.stages["passes"], painting, composite, r.region, "denoise"),
              "harmonize": r.image}
    grey = lambda im: round(float(im.astype(float).mean(-1)[drawn].mean() - painting.mean(-1)[drawn].mean()), 1)
    example = "thin" if own else f"tower in {args.thin}"
    parts = {} if own else tower_parts(drawn)
    for method, image in {"composite": composite, **stages}.items():
        by_part = {name: dict(edges=kept_edges(image, painting, composite, (mask > 0.5) & ndimage.binary_dilation(part),
                                               erode=0), stand_out=stand_out(image, part))
                   for name, part in parts.items()}
        print(json.dumps(dict(example=example, method=method, size=list(image.shape[:2]), seconds=seconds,
                              edges=kept_edges(image, painting, composite, mask > 0.5, erode=0),
                              darker=grey(image), stand_out=stand_out(image, drawn), **by_part)),
              flush=True)  # darker: the lattice's grey level - the painting's behind it
    if args.sheet:
        xs = np.nonzero(mask)[1]
        cut = np.s_[:, :] if own else np.s_[:, max(0, xs.min() - 24):xs.max() + 25]  # the tower's columns
        row = np.concatenate([np.pad(a[cut], ((2, 2), (2, 2), (0, 0)), constant_values=255)
                              for a in (painting, composite, *stages.values())], 1)
        zoom = 3 if own else 2
        Image.fromarray(row).resize((zoom * row.shape[1], zoom * row.shape[0]), Image.NEAREST).save(args.sheet)


def main():
    args = args_()
    if args.thin:
        return thin(args)
    import keras

    from keras_nst.core.image_io import load_image, load_mask
    from keras_nst.core.vgg import feature_model, preproc, vgg16_avg
    from keras_nst.harmonization import passes
    from keras_nst.harmonization.passes import harmonize
    from keras_nst.harmonization.post import post_process
    from keras_nst.transfer.experiments import style_transfer

    if args.behind:
        passes.around = lambda region, h, w: None
    if args.repeats:
        grams = passes.used_grams
        passes.used_grams = lambda painting_f, used: grams(painting_f, used, once=False)
    vgg = vgg16_avg("auto", "float32")  # the figures in float32, whatever the runs computed in
    layers = ["block3_conv1", "block4_conv1"]
    model = feature_model(vgg, layers)
    feats = lambda im: {n: keras.ops.convert_to_numpy(o)[0] for n, o in zip(layers, model(preproc(im[None])))}
    rows = []
    for n in args.examples:
        painting = load_image(DATA / f"{n}_target.jpg", args.size)
        composite = load_image(DATA / f"{n}_naive.jpg", args.size)
        mask = load_mask(DATA / f"{n}_c_mask.jpg", composite.shape)
        paper = np.asarray(Image.fromarray(load_image(DATA / f"{n}_paper.png")).resize(composite.shape[1::-1],
                                                                                      Image.LANCZOS))
        if args.post_from:  # the kept passes, post-processed as now
            kept = np.load(Path(args.post_from) / f"{n}.npz")
            started = time.perf_counter()
            r = SimpleNamespace(stages={"passes": kept["passes"], "pass 1": kept["pass1"]}, region=kept["region"])
            r.image = post_process(r.stages["passes"], painting, composite, r.region, mask=mask)
            seconds = [*kept["seconds"][:2].tolist(), round(time.perf_counter() - started, 1)]
        else:
            started = time.perf_counter()
            ends = {}
            r = harmonize(painting, composite, mask, iters=args.iters, style_level=args.style_level,
                          callback=lambda i, x, loss, stage, ends=ends: ends.update({stage: time.perf_counter()}))
            seconds = [round(ends[1] - started, 1), round(ends[2] - ends[1], 1),
                       round(time.perf_counter() - ends[2], 1)]
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            np.savez_compressed(Path(args.keep) / f"{n}.npz", passes=r.stages["passes"], pass1=r.stages["pass 1"],
                                region=r.region, seconds=np.array(seconds))
        outs = {"harmonize": (r.image, seconds), "paper": (paper, None)}
        if args.post_ablation:  # the passes' own result and the first post-processing step alone
            outs["harmonize --post none"] = (r.stages["passes"], None)
            outs["harmonize --post denoise"] = (post_process(r.stages["passes"], painting, composite, r.region,
                                                             "denoise"), None)
        if not args.harmonize_only:
            kept = Path(args.post_from or "") / f"{n}_naive.npz"
            if args.post_from and kept.exists():  # the baseline does not change with the post-processing
                kept = np.load(kept)
                naive, secs = kept["image"], kept["seconds"].tolist()
            else:
                started = time.perf_counter()
                naive = style_transfer(composite, painting, size=args.size, iters=2 * args.iters, init="content",
                                       mask=mask).image
                secs = [round(time.perf_counter() - started, 1)]
            if args.keep:
                np.savez_compressed(Path(args.keep) / f"{n}_naive.npz", image=naive, seconds=np.array(secs))
            outs["transfer --mask"] = (naive, secs)
        for method, (image, secs) in outs.items():
            row = dict(example=n, method=method, size=list(image.shape[:2]), seconds=secs,
                       **measures(image, painting, composite, mask, r.region, feats))
            print(json.dumps(row), flush=True)
        rows.append([painting, composite, *([] if args.harmonize_only else [naive]), r.image, paper])
    if args.sheet:
        from keras_nst.core.plots import figure, image_grid, save_figure

        titles = ["painting", "composite", *([] if args.harmonize_only else ["transfer --mask"]), "harmonize",
                  "the paper"]
        fig = figure(figsize=(3 * len(titles), 3 * len(rows) * rows[0][0].shape[0] / rows[0][0].shape[1]))
        image_grid(fig, rows, [titles] + [[""] * len(titles)] * (len(rows) - 1))
        save_figure(fig, args.sheet, dpi=80, overwrite=True)


if __name__ == "__main__":
    main()
