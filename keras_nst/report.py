"""The notebook's side-by-side view, for the CLI: inputs | result, and the loss per iteration."""

import matplotlib

matplotlib.use("Agg")  # files only: no display on a GPU box or in CI
import matplotlib.pyplot as plt  # noqa: E402

from .atomic import atomic_path  # noqa: E402
from .image_io import check_output  # noqa: E402

FORMATS = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".pdf": "pdf", ".svg": "svg"}


def check_grid(path, inputs=()):
    return check_output(path, inputs, FORMATS)


def save_grid(path, panels, losses):
    """``panels``: [(title, RGB array)] in a row above the loss curve (``losses[0]``: the start image)."""
    path = check_grid(path)
    fig = plt.figure(figsize=(4 * len(panels), 6.5), layout="constrained")
    top, bottom = fig.subfigures(2, 1, height_ratios=[2.2, 1])
    for ax, (title, image) in zip(top.subplots(1, len(panels), squeeze=False)[0], panels):
        ax.imshow(image)
        ax.set_title(title)
        ax.axis("off")
    ax = bottom.subplots()
    ax.plot(range(len(losses)), losses, marker="o")
    ax.set_xlabel("iteration (0: start image; then 20 L-BFGS evaluations each)")
    ax.set_ylabel("loss")
    ax.set_yscale("log")
    return save_figure(fig, path, dpi=100)


def save_figure(fig, path, dpi):
    """Write a matplotlib figure atomically (format from the extension) and free it."""
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=FORMATS[path.suffix.lower()], dpi=dpi)
    finally:
        plt.close(fig)
    return path
