"""Figures for files (the lessons' side-by-side views), on matplotlib's object API.

``matplotlib.figure.Figure`` draws without pyplot's global state or a GUI backend, so nothing here
switches a notebook user's backend (no ``matplotlib.use``) and nothing needs ``plt.close``. Also the
commands' ``--grid`` figure (``save_grid``): inputs | result over the loss curve.
"""

from pathlib import Path

from .defaults import EVALS_PER_ITER, LOSSY_SAVE
from .errors import NSTError
from .image_io import check_output, write_output

FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf", ".svg": "svg"}


def check_figure(path, inputs=(), *, overwrite=True):
    """A figure's output path, checked like every output before any work starts."""
    return check_output(path, inputs, FORMATS, overwrite=overwrite)


def check_grid(path, inputs=(), outputs=None, *, overwrite=True):
    """``--grid``, for every command that has it: a figure checked like every output, and never the
    name of another output of the run (``outputs``: path -> what it is, e.g. "the --out image"),
    which it would take before the result could, all before any work."""
    grid = check_figure(path, inputs, overwrite=overwrite)
    for out, what in (outputs or {}).items():
        if out is not None and grid.resolve() == Path(out).resolve():
            raise NSTError(f"--grid {path} is {what} too: give the grid figure its own name")
    return grid


def figure(**kwargs):
    from matplotlib.figure import Figure

    return Figure(layout="constrained", **kwargs)


def image_grid(fig, rows, titles=None):
    """Images in a grid, one list a row: ``rows[i][j]`` an RGB array; titles alike (or None)."""
    axes = fig.subplots(len(rows), max(len(r) for r in rows), squeeze=False)
    for i, row in enumerate(rows):
        for j, ax in enumerate(axes[i]):
            ax.axis("off")
            if j < len(row):
                ax.imshow(row[j], interpolation="nearest")
                if titles:
                    ax.set_title(titles[i][j])
    return axes


def save_figure(fig, path, dpi=100, *, overwrite=True):
    """Write a figure atomically (format from the extension); an existing file is replaced only with
    ``overwrite``. Returns the path written."""
    path = check_figure(path)
    fmt = FORMATS[path.suffix.lower()]
    lossy = {"pil_kwargs": LOSSY_SAVE["JPEG"]} if fmt == "jpeg" else {}  # a grid's photos, as save_image keeps them
    return write_output(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi, **lossy), overwrite=overwrite)


def save_grid(path, panels, losses, *, overwrite=True):
    """``panels``: [(title, RGB array)] in a row above the loss curve (``losses[0]``: the start image)."""
    path = check_figure(path)
    fig = figure(figsize=(4 * len(panels), 6.5))
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])
    image_grid(top, [[im for _, im in panels]], [[title for title, _ in panels]])
    ax = bottom.subplots()
    ax.plot(range(len(losses)), losses, marker="o")
    ax.set_xlabel(f"iteration (0: start image; then {EVALS_PER_ITER} L-BFGS evaluations each)")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    return save_figure(fig, path, dpi=100, overwrite=overwrite)
