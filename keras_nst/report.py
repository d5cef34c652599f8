"""The notebook's side-by-side view, for the CLI: inputs | result, and the loss per iteration."""

from .core.defaults import EVALS_PER_ITER
from .core.plots import check_figure, figure, image_grid, save_figure


def save_grid(path, panels, losses):
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
    return save_figure(fig, path, dpi=100)
