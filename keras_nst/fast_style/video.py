"""Lesson 9's fast style transfer on video: the transform net is fast enough to paint every frame.

A network trained on still photos does not see the frame before, so styled frame by frame a clip's
strokes boil. ``stylize_video`` holds them still where the clip is still (``core.temporal``: the
previous result warped along the input's optical flow, where that flow is trusted, blended with this
frame's own by ``temporal_blend``); new content and every new shot are styled afresh. The warping error
(E_warp) of the input and of the result says how steady the clip is. Clip i/o is ``core.video``'s.
"""

from ..core.image_io import fit
from ..core.temporal import Consistent, Motion, WarpError
from ..core.video import even, image_sized, map_video, probe
from .defaults import TEMPORAL_BLEND
from .options import check_video


def output_size(w, h, *, size=None, keep_size=False):
    """The stylised frames' (width, height): the working size's (``working_size``), or the clip's own
    with ``keep_size``, each side made even (yuv420p)."""
    from .inference import working_size

    side = None if keep_size else working_size(h, w, size)
    return even(*(fit(w, h, side) if side else (w, h)))


def stylize_video(model, src, out, *, size=None, keep_size=False, preserve_color=None,
                  temporal_blend=TEMPORAL_BLEND, frames=None, overwrite=False, progress=None, temporal=None):
    """``src`` stylised into ``out`` (H.264, sound kept), not replacing a file unless ``overwrite``.
    ``size``, ``keep_size``, ``preserve_color``: as ``stylize``'s; ``temporal_blend``: the share of
    the previous result kept where the flow is trusted (0: frame by frame; ``temporal``, its former
    name, still works); ``frames``: only the first N. ``progress``: a tqdm bar. Returns (path
    written, frames, ``WarpError``)."""
    from .inference import stylize

    blend = check_video(temporal_blend=temporal_blend if temporal is None else temporal, frames=frames)
    w, h, _ = probe(src)
    ow, oh = output_size(w, h, size=size, keep_size=keep_size)
    motion, steady, measure = Motion(), Consistent(blend), WarpError()

    def paint(rgb):
        image = stylize(model, rgb, size=size, keep_size=keep_size, preserve_color=preserve_color)
        frame = image_sized(rgb, image)
        moved = motion.step(frame)
        image = steady(image, moved)
        measure.add(frame, image, moved)
        return image

    path, done = map_video(src, out, paint, width=ow, height=oh, frames=frames, overwrite=overwrite,
                           progress=progress)
    return path, done, measure
