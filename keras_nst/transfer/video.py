"""Gatys style transfer on video (Ruder et al. 2016, "Artistic style transfer for videos"): each
frame starts from the previous result carried along the input's optical flow and adds their
temporal term, the squared difference to that warped result where the flow is trusted
(``core.terms.temporal_term``, ``core.temporal``). Steady areas keep their strokes, and a few L-BFGS
rounds a frame suffice; a shot's first frame (and every frame after a cut) is painted from noise
with more rounds. ``temporal_weight=0`` paints every frame on its own, from noise, for comparison.
"""

import numpy as np

from ..core.image_io import fit, resize
from ..core.temporal import Motion, WarpError, warp
from ..core.video import even, map_video, probe
from .defaults import FIRST_FRAME_ROUNDS, TEMPORAL_WEIGHT
from .experiments import style_transfer
from .options import check_video


def style_transfer_video(clip, style, out, *, size=256, iters=2, temporal_weight=TEMPORAL_WEIGHT, frames=None,
                         first_rounds=FIRST_FRAME_ROUNDS, overwrite=False, progress=None, temporal=None, **controls):
    """``clip`` painted like ``style`` into ``out`` (H.264, sound kept) at ``size`` px (longer side):
    ``iters`` rounds a frame (``first_rounds`` times as many for a shot's first frame, when
    ``temporal_weight`` > 0; ``temporal``, its former name, still works), ``frames``: only the first
    N. ``controls``: ``style_transfer``'s artistic controls. Returns (path, frames, ``WarpError``,
    the loss of each frame)."""
    weight = check_video(temporal_weight=temporal_weight if temporal is None else temporal, frames=frames)
    w, h, _ = probe(clip)
    ow, oh = even(*fit(w, h, size))
    motion, measure, losses, last = Motion(), WarpError(), [], [None]

    def paint(rgb):
        frame = resize(rgb, max(ow, oh))[:oh, :ow]
        moved = motion.step(frame)
        if weight > 0 and moved is not None and last[0] is not None:
            backward, mask = moved
            warped = np.clip(warp(last[0], backward), 0, 255).round().astype(np.uint8)
            start = np.where(mask[..., None], warped, frame)  # new content starts from the frame itself
            r = style_transfer(frame, style, size=max(ow, oh), iters=iters, init=start[None],
                               temporal=(warped, mask.astype("float32"), weight), **controls)
        else:
            rounds = iters * first_rounds if weight > 0 else iters
            r = style_transfer(frame, style, size=max(ow, oh), iters=rounds, **controls)
        image = r.image[:oh, :ow]
        losses.append(r.losses[-1])
        measure.add(frame, image, moved)
        last[0] = image
        return image

    path, done = map_video(clip, out, paint, width=ow, height=oh, frames=frames, overwrite=overwrite,
                           progress=progress)
    return path, done, measure, losses
