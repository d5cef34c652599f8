"""Any painting in the web app (Li et al. 2017; Lu et al. 2019): the shipped decoders, loaded once,
paint a photo like an uploaded painting in one pass. The Fast style tab shows that picture; the
Style transfer tab starts lesson 8's L-BFGS from it instead of noise, so its first picture comes at
once and the rounds refine it (``transfer --init arbitrary``)."""

import functools

from ..arbitrary.defaults import ALPHA, TRANSFORM
from ..core.errors import NSTError

ONE_PASS, NOISE = STARTS = ("one pass", "noise")  # the Style transfer tab's "start from"
PICK_STYLE = "pick a shipped style (clear the painting)"
START_FROM_NOISE = "start from noise"


def shipped():
    """Whether the any-painting decoders ship with this installation (Keras-free)."""
    from ..arbitrary.options import REGISTRY

    return bool(REGISTRY.shipped())


def default_start():
    """The one-pass start where the decoders ship, else the course's noise."""
    return ONE_PASS if shipped() else NOISE


@functools.cache
def _decoders(folder):
    from ..arbitrary.inference import load_decoders
    from ..arbitrary.options import check_decoders

    return load_decoders(check_decoders())


def decoders(instead):
    """The shipped decoders, deepest first; when none ships, a one-line error in the page's words
    (``check_decoders``' names the command line's flags) saying what to do ``instead``."""
    from ..arbitrary.options import REGISTRY

    if not shipped():  # said at once, before Keras loads; never cached
        raise NSTError("no decoder for any painting ships with this installation (benchmarks/RESULTS.md says "
                       f"why; the command line's arbitrary-train trains them): {instead}")
    return _decoders(str(REGISTRY.folder))


@functools.lru_cache(maxsize=4)
def painter(painting, alpha=ALPHA, method=TRANSFORM):
    """The image network that paints like ``painting`` (an upload's path): its statistics are taken
    once, and a photo stylised again with the same settings reuses them."""
    from ..arbitrary.inference import painter as make

    return make(decoders(PICK_STYLE), painting, alpha=alpha, method=method)


def tile(h, w):
    """The tile side a painter's run at ``h`` x ``w`` px needs to fit memory (its own plan: the
    encoder to the deepest level and the decoders take more than a style network)."""
    from ..arbitrary.options import PLAN

    return PLAN.auto_tile(h, w)


def one_pass(photo, painting):
    """``photo`` (uint8, at its own size) painted like ``painting`` (a path) in one pass."""
    from ..fast_style.inference import stylize

    return stylize(painter(painting), photo, tile=tile(*photo.shape[:2]))
