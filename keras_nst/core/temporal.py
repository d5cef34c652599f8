"""Temporal consistency for styled video (Ruder et al. 2016, "Artistic style transfer for videos";
its feed-forward follow-up; Lai et al. 2018's warping error as the measure).

A picture styled on its own boils from frame to frame: each frame's strokes are placed afresh. What
holds a clip still is the optical flow between its *input* frames: the previous result warped along
it is what this frame should look like wherever the flow can be trusted. The flow is OpenCV's DIS
(dense inverse search: fast on a CPU); it is trusted where the forward and backward flows agree
(occlusions fail this check) and away from motion boundaries (Sundaram et al. 2010's tests, as
Ruder et al. use them). A scene cut is found from the input alone: most of the frame without a
trusted flow, or its colours changed; there the clip starts afresh, so no ghost of the last shot
survives.
"""

import functools

import numpy as np

CUT_RELIABLE = 0.35  # below this share of trusted pixels, the frame starts a new shot
CUT_COLOUR = 0.5  # ... or when its colour histogram correlates less than this with the last frame's


def _grey(frame):
    import cv2

    return cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2GRAY)


class Flow:
    """DIS optical flow between consecutive frames of one size (its state reused across frames)."""

    def __init__(self):
        import cv2

        self.dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)

    def __call__(self, src, dst):
        """(h, w, 2) flow: for each pixel of ``src``, where it went in ``dst`` (dx, dy), in px."""
        return self.dis.calc(_grey(src), _grey(dst), None)


@functools.cache
def _grid(h, w):
    """Every pixel's own (x, y): the positions a flow is added to (made once per frame size)."""
    return np.stack(np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)), axis=-1)


def warp(image, flow, *, sharp=False):
    """``image`` (of the previous frame) pulled onto this frame: each pixel takes ``image`` at the
    position ``flow`` (this frame -> the previous one) points to, edges replicated. Bilinear, or with
    ``sharp`` Lanczos (8x8): a result warped again every frame is resampled again every frame, and
    bilinear's blur piles up into soft strokes (the style distances of both: benchmarks/RESULTS.md,
    video)."""
    import cv2

    where = _grid(*flow.shape[:2]) + flow
    return cv2.remap(np.asarray(image, np.float32), where[..., 0], where[..., 1],
                     cv2.INTER_LANCZOS4 if sharp else cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def reliable(backward, forward):
    """Where the backward flow (this frame -> previous) can be trusted, (h, w) bool: the forward flow
    (previous -> this), read where the backward one lands, brings the pixel back (no occlusion), and
    the backward flow is smooth there (no motion boundary)."""
    import cv2

    fw_back = warp(forward, backward)  # the forward flow at each pixel's previous position
    total = fw_back + backward
    consistent = (total ** 2).sum(-1) <= 0.01 * ((fw_back ** 2).sum(-1) + (backward ** 2).sum(-1)) + 0.5
    slope = lambda c: cv2.Sobel(c, cv2.CV_32F, 1, 0, ksize=1) ** 2 + cv2.Sobel(c, cv2.CV_32F, 0, 1, ksize=1) ** 2
    smooth = slope(backward[..., 0]) + slope(backward[..., 1]) <= 0.01 * (backward ** 2).sum(-1) + 0.002
    return consistent & smooth


def colour_match(a, b):
    """Correlation of two frames' colour histograms (1: the same distribution)."""
    import cv2

    hist = lambda f: cv2.normalize(cv2.calcHist([np.ascontiguousarray(f)], [0, 1, 2], None, [8, 8, 8],
                                                [0, 256] * 3), None).ravel()
    return float(cv2.compareHist(hist(a), hist(b), cv2.HISTCMP_CORREL))


class Motion:
    """What the clip does between its previous input frame and this one: the backward flow, where it
    is trusted, and whether this frame starts a new shot. Feed it every input frame in order."""

    def __init__(self):
        self.flow, self.previous = Flow(), None

    def step(self, frame):
        """(backward flow, trusted mask) for ``frame`` from the previous one, or None at the first
        frame, after a cut, or when the size changed."""
        previous, self.previous = self.previous, frame
        if previous is None or previous.shape != frame.shape:
            return None
        backward, forward = self.flow(frame, previous), self.flow(previous, frame)
        mask = reliable(backward, forward)
        if mask.mean() < CUT_RELIABLE or colour_match(previous, frame) < CUT_COLOUR:
            return None
        return backward, mask


class Consistent:
    """Feed-forward results held still where the clip is still: each result is ``weight`` of the
    previous result warped along the flow and the rest this frame's own, where the flow is trusted;
    this frame's own elsewhere (new content, occlusions) and after a cut. The previous result keeps
    being refreshed by ``1 - weight`` of each new frame, so nothing drifts: over a static shot the
    result converges to the network's own picture. ``weight`` 0: frame by frame."""

    def __init__(self, weight):
        self.weight, self.last = float(weight), None

    def __call__(self, styled, moved):
        """This frame's result from the network's ``styled`` picture and ``Motion.step``'s answer."""
        if self.weight > 0 and moved is not None and self.last is not None and self.last.shape == styled.shape:
            backward, mask = moved
            m = (self.weight * mask.astype(np.float32))[..., None]
            blend = m * warp(self.last, backward, sharp=True) + (1 - m) * styled
            styled = np.clip(blend, 0, 255).round().astype(np.uint8)
        self.last = styled
        return styled


class WarpError:
    """Lai et al. 2018's temporal warping error, E_warp: the previous frame warped onto this one by the
    input's flow, the mean squared difference (pixels 0-1) where that flow is trusted, averaged over
    the clip; of the input itself and of the result, side by side. A cut is skipped."""

    def __init__(self):
        self.previous, self.sums, self.count = None, np.zeros(2), 0

    def add(self, frame, result, moved):
        """One more frame: its input, its result (same size) and ``Motion.step``'s answer for it."""
        if moved is not None and self.previous is not None and self.previous[1].shape == result.shape:
            backward, mask = moved
            if mask.any():
                for k, (now, before) in enumerate(((frame, self.previous[0]), (result, self.previous[1]))):
                    diff = (np.asarray(now, np.float32) - warp(before, backward)) / 255
                    self.sums[k] += float((diff ** 2).mean(-1)[mask].mean())
                self.count += 1
        self.previous = frame, result

    def means(self):
        """(input's, result's) E_warp; (0, 0) with fewer than two frames of one shot."""
        return tuple(self.sums / max(self.count, 1))
