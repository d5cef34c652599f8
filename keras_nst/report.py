"""Lessons 8 and 9 beside the course's figures: ``python -m keras_nst report --out report/``.

One HTML page of PNGs for the standard pairs in ``../shared/data``, laid out as the figures a student
compares with: Gatys et al. 2016's Figure 1 (content reconstructions layer by layer; style
reconstructions from growing sets of layers, the lesson's experiments), Figure 2 (photos in several
styles: a content x style grid), Figure 3 (growing style-layer sets x content weight), lesson 9's
super-resolution comparison (LR | bicubic | the course's net | the shipped nets | HR) and fast style.
Every cell says how it was made, its loss and its time, and one command remakes all of it
(``--size``/``--iters`` for a quick version). The folder appears whole or not at all.
"""

import html
import os
import platform
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .core import memory
from .core.atomic import current_umask
from .core.defaults import CONTENT_LAYER, EVALS_PER_ITER, PRECISION, STYLE_LAYERS, STYLE_WEIGHTS
from .core.errors import NSTError
from .core.image_io import find_images, load_image, save_image
from .core.vgg import BYTES_PER_PIXEL
from .transfer.defaults import CONTENT_RECON_LAYER, CONTENT_WEIGHT

# the standard pairs in ../shared/data (Gatys et al. 2016's photo and paintings)
REPORT_DATA = "../shared/data"  # content/, style/, sr/eval/<set>/: the course data beside a checkout
REPORT_CONTENTS = ("tubingen", "golden_gate", "Kinkaku-ji")
REPORT_STYLES = ("shipwreck", "starry_night", "the_scream", "seated-nude")  # their Figure 2's B-E
REPORT_CONTENT_LAYERS = (*(f"block{i}_conv2" for i in range(1, 6)), CONTENT_RECON_LAYER)  # Figure 1: conv1_2..5_2
REPORT_STYLE_SETS = tuple(tuple(f"block{j}_conv1" for j in range(1, i + 1)) for i in range(1, 6))  # conv1_1..5_1
REPORT_FIG3_STYLE = "starry_night"  # Figure 3's style (theirs, Kandinsky's Composition VII, is not in the data)
REPORT_CONTENT_WEIGHTS = (0.1, 1.0, 10.0)  # Figure 3's columns: more style <- -> more content
REPORT_SR_IMAGES = 3  # rows per SR test set
REPORT_SIZE, REPORT_ITERS = 256, 8
REPORT_SECTIONS = ("style-grid", "content-layers", "style-layers", "layers-by-weight", "super-res", "fast-style")


MARK = '<meta name="generator" content="keras-nst report">'  # what --overwrite looks for before replacing


@dataclass
class Cell:
    title: str
    image: object = None  # RGB uint8 array; None: an empty corner
    settings: str = ""
    loss: str = ""
    seconds: float = None
    pixelated: bool = False  # a low-res input, shown enlarged without smoothing


@dataclass
class Section:
    key: str
    title: str
    about: str
    rows: list = field(default_factory=list)  # rows of Cells


@dataclass
class Plan:
    """What the report will show, found and checked before any work."""

    sections: tuple
    contents: list
    styles: list
    sr_sets: list  # (name, [HR image paths])
    fast_models: list


def _natural(path):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", Path(path).name)]


def _pick(folder, names, what):
    """The images of ``folder`` named in ``names`` (in that order), else its first ``len(names)``."""
    if not folder.is_dir():
        raise NSTError(f"{folder}: no such folder of {what} (--data: a folder with content/, style/ and sr/eval/)")
    images = find_images(folder)
    if not images:
        raise NSTError(f"{folder}: no {what} images")
    by_stem = {p.stem: p for p in images}
    return [by_stem[n] for n in names if n in by_stem] or images[:len(names)]


def plan(data, *, sections=REPORT_SECTIONS, size=256):
    """The standard pairs in ``data`` for ``sections``; one-line errors for anything missing."""
    data = Path(data)
    if not data.is_dir():
        raise NSTError(f"{data}: no such folder (--data: a folder with content/, style/ and sr/eval/)")
    unknown = [s for s in sections if s not in REPORT_SECTIONS]
    if unknown:
        raise NSTError(f"unknown --sections {unknown}: choose from {', '.join(REPORT_SECTIONS)}")
    need_contents = {"style-grid", "content-layers", "layers-by-weight", "fast-style"} & set(sections)
    need_styles = {"style-grid", "style-layers", "layers-by-weight"} & set(sections)
    contents = _pick(data / "content", REPORT_CONTENTS, "content") if need_contents else []
    styles = _pick(data / "style", REPORT_STYLES, "style") if need_styles else []
    sr_sets = []
    if "super-res" in sections:
        folder = data / "sr" / "eval"
        sets = sorted((d for d in folder.iterdir() if d.is_dir()), key=_natural) if folder.is_dir() else []
        sr_sets = [(d.name, sorted(find_images(d), key=_natural)[:REPORT_SR_IMAGES]) for d in sets]
        sr_sets = [(name, images) for name, images in sr_sets if images]
        if not sr_sets:
            raise NSTError(f"{folder}: no test sets (folders of images); or leave super-res out of --sections")
    fast_models = []
    if "fast-style" in sections:
        from .fast_style.options import shipped

        fast_models = shipped()
        if not fast_models:
            raise NSTError("no shipped fast styles in this installation: reinstall, or leave fast-style out of "
                           "--sections")
    if need_contents or need_styles:
        memory.check_images([(1, size, size, 3)], BYTES_PER_PIXEL)
    for path in contents + styles:  # unreadable, or too small at --size: said now, not after an hour's work
        load_image(path, size)
    return Plan(tuple(sections), contents, styles, sr_sets, fast_models)


def _loss(result):
    return f"loss {result.start_loss:.3g} → {result.losses[-1]:.3g}" if result.losses else "0 iterations"


def _optimised(title, result, settings):
    return Cell(title, result.image, settings, _loss(result), result.seconds)


def _weights(ws):
    return "/".join(f"{w:g}" for w in ws)


def _layers(layers):
    """block1_conv2 … block5_conv2 as "block1-5_conv2" (the names share a suffix), else first … last."""
    first, last = layers[0].split("_"), layers[-1].split("_")
    if len(layers) == 1:
        return layers[0]
    return f"{first[0]}-{last[0][5:]}_{first[1]}" if first[1] == last[1] else f"{layers[0]} … {layers[-1]}"


def _style_grid(plan, *, size, iters, run, tick, **_):
    from .transfer.experiments import style_transfer

    rows = [[Cell("")] + [Cell(s.stem, load_image(s, size), "style image") for s in plan.styles]]
    for c in plan.contents:
        row = [Cell(c.stem, load_image(c, size), "content photo")]
        for s in plan.styles:
            r = style_transfer(c, s, size=size, iters=iters, **run)
            row.append(_optimised(f"{c.stem} × {s.stem}", r, f"content {CONTENT_LAYER} ×{CONTENT_WEIGHT:g}; style "
                                  f"{_layers(STYLE_LAYERS)} ({_weights(STYLE_WEIGHTS)})"))
            tick()
        rows.append(row)
    return Section("style-grid", "Style transfer: content × style (Gatys et al. 2016, Figure 2; lesson 8)",
                   "Each photo (left) painted in each style (top), from blurred noise, with the lesson's loss: "
                   f"{CONTENT_LAYER} activations plus the Gram matrices of block1-5_conv2. Their Figure 2 shows "
                   "the Tübingen photo in the styles of Turner's Shipwreck of the Minotaur, Van Gogh's Starry "
                   "Night, Munch's Scream and Picasso's Femme nue assise, in that order.", rows)


def _content_layers(plan, *, size, iters, run, tick, **_):
    from .transfer.experiments import content_reconstruction

    c = plan.contents[0]
    row = [Cell(c.stem, load_image(c, size), "content photo")]
    for layer in REPORT_CONTENT_LAYERS:
        r = content_reconstruction(c, size=size, iters=iters, layer=layer, **run)
        row.append(_optimised(layer, r, "content_reconstruction from this layer"))
        tick()
    return Section("content-layers", "Content reconstructions by layer (Gatys et al. 2016, Figure 1, bottom row)",
                   "Noise optimised until its activations at one layer match the photo's. Early layers give back "
                   "the pixels; deep ones keep the layout and lose the detail (the lesson's point, with its "
                   "block5_conv1 last). Their figure uses conv1_2 … conv5_2 = block1_conv2 … block5_conv2.",
                   [row])


def _style_layers(plan, *, size, iters, run, tick, **_):
    from .transfer.experiments import style_reconstruction

    s = plan.styles[0]
    row = [Cell(s.stem, load_image(s, size), "style image")]
    sets = [(layers, None) for layers in REPORT_STYLE_SETS] + [(STYLE_LAYERS, STYLE_WEIGHTS)]
    for layers, weights in sets:
        r = style_reconstruction(s, size=size, iters=iters, style_layers=layers, style_weights=weights, **run)
        how = f"weights {_weights(weights)} (the lesson's)" if weights else "equal weights"
        row.append(_optimised(_layers(layers), r, f"style_reconstruction, {len(layers)} layer(s), {how}"))
        tick()
    return Section("style-layers", "Style reconstructions by layer set (Gatys et al. 2016, Figure 1, top row)",
                   "Noise optimised until its Gram matrices match the painting's on growing sets of layers "
                   "(conv1_1; conv1_1 and conv2_1; … up to conv5_1 = block5_conv1): the more layers, the larger "
                   "the structures of the texture. The last cell is the lesson's set (block1-5_conv2, weighted).",
                   [row])


def _layers_by_weight(plan, *, size, iters, run, tick, **_):
    from .transfer.experiments import style_transfer

    c = plan.contents[0]
    s = next((p for p in plan.styles if p.stem == REPORT_FIG3_STYLE), plan.styles[0])
    rows = [[Cell(c.stem, load_image(c, size), "content photo")]
            + [Cell(f"content weight {w:g}") for w in REPORT_CONTENT_WEIGHTS]]
    for layers in REPORT_STYLE_SETS:
        row = [Cell(f"up to {layers[-1]}", load_image(s, size), f"style: {len(layers)} layer(s), equal weights")]
        for w in REPORT_CONTENT_WEIGHTS:
            r = style_transfer(c, s, size=size, iters=iters, style_layers=layers, content_weight=w, **run)
            row.append(_optimised(f"{_layers(layers)}, content ×{w:g}", r,
                                  f"style {_layers(layers)}, equal weights; content {CONTENT_LAYER} ×{w:g}"))
            tick()
        rows.append(row)
    return Section("layers-by-weight", "Style layers × content weight (Gatys et al. 2016, Figure 3)",
                   f"{c.stem} in the style of {s.stem}: each row matches the style on one more layer (conv1_1 … "
                   "conv5_1), each column weighs the content more (left: style dominates). Their figure uses "
                   "Kandinsky's Composition VII and content/style ratios 1e-5 … 1e-2 under their own loss "
                   "scale; the trend, not the numbers, is what carries over.", rows)


def _super_res(plan, *, weights, course_model, tick, run, **_):
    from super_res.defaults import MODELS
    from super_res.evaluate import bicubic, degrade, scores
    from super_res.loss import vgg_distance
    from super_res.upscale import load_model, upscale

    models = ({"course net": course_model} if course_model else {}) | {
        f"{m} (shipped)": load_model(m, precision=run["precision"]) for m in MODELS}
    distance = vgg_distance(weights)
    rows = []
    for set_name, paths in plan.sr_sets:
        for path in paths:
            hr, lr = degrade(load_image(path))
            started = time.perf_counter()
            outs = {"bicubic": (bicubic(lr), time.perf_counter() - started)}
            for name, model in models.items():
                started = time.perf_counter()
                outs[name] = (upscale(model, lr), time.perf_counter() - started)
                tick()
            row = [Cell(f"{set_name}/{path.stem}: LR", lr, f"{lr.shape[1]}x{lr.shape[0]}, HR ÷4 bicubic",
                        pixelated=True)]
            for name, (sr, seconds) in outs.items():
                s = scores(hr, sr, distance)
                row.append(Cell(name, sr, "×4", f"PSNR-Y {s['psnr_y']:.2f} dB · SSIM-Y {s['ssim_y']:.3f} · "
                                               f"VGG {s['vgg']:.4g}", seconds))
            rows.append(row + [Cell("HR", hr, f"{hr.shape[1]}x{hr.shape[0]}")])
    course = ("the course's network (--course-model)" if course_model else
              "the course's network when given (--course-model PATH, e.g. one trained with `python -m super_res "
              "train --arch course`)")
    return Section("super-res", "Super-resolution ×4 (lesson 9)",
                   f"Each test image downscaled ×4 (bicubic), then brought back by bicubic, {course} and the "
                   "shipped psnr and perceptual networks; PSNR and SSIM on Y (BT.601, 4 px border shaved, as the "
                   "papers), VGG: the perceptual loss's own distance (lower is better). As the course notebook's "
                   "LR | prediction | HR rows.", rows)


def _fast_style(plan, *, size, tick, run, **_):
    from .fast_style.inference import load_style_model, stylize

    nets = {m: load_style_model(m, precision=run["precision"]) for m in plan.fast_models}
    rows = []
    for c in plan.contents:
        photo = load_image(c, size)
        row = [Cell(c.stem, photo, "content photo")]
        for name, net in nets.items():
            started = time.perf_counter()
            image = stylize(net, photo)
            row.append(Cell(name, image, "shipped fast style, one forward pass", seconds=time.perf_counter() - started))
            tick()
        rows.append(row)
    return Section("fast-style", "Fast style transfer (lesson 9; Johnson et al. 2016)",
                   "The shipped transform networks: one forward pass per photo instead of an optimisation. "
                   "The first call of each network includes its warm-up.", rows)


BUILDERS = {"style-grid": _style_grid, "content-layers": _content_layers, "style-layers": _style_layers,
            "layers-by-weight": _layers_by_weight, "super-res": _super_res, "fast-style": _fast_style}


def cells(plan, course=False):
    """How many results the plan computes (``course``: with the course's SR net): the progress bar's length."""
    from super_res.defaults import MODELS

    n = {"style-grid": len(plan.contents) * len(plan.styles), "content-layers": len(REPORT_CONTENT_LAYERS),
         "style-layers": len(REPORT_STYLE_SETS) + 1,
         "layers-by-weight": len(REPORT_STYLE_SETS) * len(REPORT_CONTENT_WEIGHTS),
         "super-res": sum(len(p) for _, p in plan.sr_sets) * (len(MODELS) + course),
         "fast-style": len(plan.contents) * len(plan.fast_models)}
    return sum(n[s] for s in plan.sections)


def build(plan, *, size, iters, weights="auto", seed=0, course_model=None, tick=lambda: None, precision=PRECISION):
    """Compute every section of ``plan`` (its networks computing in ``precision``); returns the Sections."""
    run = dict(weights=weights, seed=seed, precision=precision)
    return [BUILDERS[key](plan, size=size, iters=iters, run=run, weights=weights, course_model=course_model,
                          tick=tick) for key in plan.sections]


def check_out(out, data, overwrite=False):
    """The report folder: new, or (``overwrite``) an earlier report, never a folder holding the data."""
    out = Path(out)
    if not out.parent.is_dir():
        raise NSTError(f"{out}: folder {out.parent} does not exist")
    if out.exists() and not out.is_dir():
        raise NSTError(f"{out}: is a file; --out is the report's folder")
    if out.exists():
        if not overwrite:
            raise NSTError(f"{out}: exists; --overwrite to replace that report, or choose another --out")
        index = out / "index.html"
        if not (index.is_file() and MARK in index.read_text(errors="replace")):
            raise NSTError(f"{out}: is not a report folder (no keras-nst index.html); refusing to replace it")
        if Path(data).resolve().is_relative_to(out.resolve()):
            raise NSTError(f"{out}: holds the --data folder; refusing to replace it")
    return out


def _figure(cell, src):
    img = (f'<a href="{src}"><img src="{src}" alt="{html.escape(cell.title)}"{" class=lr" if cell.pixelated else ""}>'
           "</a>" if src else "")
    lines = [f"<b>{html.escape(cell.title)}</b>"] + [html.escape(t) for t in (cell.settings, cell.loss) if t]
    if cell.seconds is not None:
        lines.append(f"{cell.seconds:.1f} s")
    return f"<td><figure>{img}<figcaption>{'<br>'.join(lines)}</figcaption></figure></td>"


STYLE = """body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse}
td{vertical-align:top;padding:4px;width:200px;max-width:200px;overflow-wrap:anywhere}img{width:200px;display:block}img.lr{image-rendering:pixelated}
figure{margin:0}figcaption{font-size:11px;line-height:1.3}h2{margin-top:1.6em}p.about{max-width:60em}
code{background:#f3f3f3}"""


def html_page(sections, files, header):
    """The page: ``files[(section, row, column)]`` the PNG each cell shows; ``header`` lines of text."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', MARK,
             "<title>keras-nst report</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>keras-nst: lessons 8 and 9, side by side</h1>"]
    parts += [f"<p>{line}</p>" for line in header]
    for k, section in enumerate(sections):
        parts.append(f'<h2 id="{section.key}">{html.escape(section.title)}</h2>')
        parts.append(f'<p class="about">{html.escape(section.about)}</p><table>')
        for r, row in enumerate(section.rows):
            parts.append("<tr>" + "".join(_figure(cell, files.get((k, r, c))) for c, cell in enumerate(row)) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write(out, sections, header, *, overwrite=False):
    """index.html and img/*.png into a temporary folder beside ``out``, then renamed into place: the
    report appears whole (an earlier one is replaced only then, with ``overwrite``)."""
    out = Path(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        (tmp / "img").mkdir()
        files = {}
        for k, section in enumerate(sections):
            for r, row in enumerate(section.rows):
                for c, cell in enumerate(row):
                    if cell.image is not None:
                        files[k, r, c] = f"img/{section.key}-{r}-{c}.png"
                        save_image(tmp / files[k, r, c], cell.image)
        (tmp / "index.html").write_text(html_page(sections, files, header), encoding="utf-8")
        os.chmod(tmp, 0o777 & ~current_umask())  # mkdtemp makes 0700 folders; give the usual permissions
        if out.exists() and overwrite:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "index.html"


def header(command, *, seconds, weights_source, size, iters, precision=PRECISION):
    import keras

    from .core.backend import describe_precision, resolve_precision

    return [f"Made by <code>{html.escape(command)}</code> in {seconds / 60:.1f} min on "
            f"{html.escape(platform.processor() or platform.machine())} ({os.cpu_count()} CPU cores), Keras "
            f"{keras.__version__} on {keras.backend.backend()} in {describe_precision(resolve_precision(precision))}, "
            f"VGG16 weights: {html.escape(weights_source)}; "
            f"{time.strftime('%Y-%m-%d %H:%M')}.",
            f"Optimised images: longer side {size} px, {iters} rounds of SciPy's L-BFGS-B ({EVALS_PER_ITER} "
            "evaluations each) from blurred noise (lesson 9), seed 0; losses are the course's "
            "definition (weighted means of squared errors), from the start image to the end; times are the "
            "optimisation's or the forward pass's own, not the model loading."]

