"""Any painting in the web app (Li et al. 2017; Lu et al. 2019): the shipped decoders, loaded once,
paint a photo like an uploaded painting in one pass. The Fast style tab shows that picture; the
Style transfer tab starts lesson 8's L-BFGS from it instead of noise, so its first picture comes at
once and the rounds refine it (``transfer --init arbitrary``)."""

import functools

from ..arbitrary.defaults import ALPHA, TRANSFORM

ONE_PASS, NOISE = STARTS = ("one pass", "noise")  # the Style transfer tab's "start from"


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


def decoders():
    """The shipped decoders, deepest first; a one-line error naming how to get them when none ships."""
    from ..arbitrary.options import REGISTRY, check_decoders

    check_decoders()  # said at once, before Keras loads; never cached
    return _decoders(str(REGISTRY.folder))


@functools.lru_cache(maxsize=4)
def painter(painting, alpha=ALPHA, method=TRANSFORM):
    """The image network that paints like ``painting`` (an upload's path): its statistics are taken
    once, and a photo stylised again with the same settings reuses them."""
    from ..arbitrary.inference import painter as make

    return make(decoders(), painting, alpha=alpha, method=method)


def one_pass(photo, painting):
    """``photo`` (uint8, at its own size) painted like ``painting`` (a path) in one pass."""
    from ..fast_style.inference import stylize

    return stylize(painter(painting), photo)
