"""Measures of lesson 9's transform net: its cost (FLOPs of a forward pass) and the checkerboard
that stride-2 transposed convs print (Odena et al. 2016, the lesson's extra credit)."""

import math

import numpy as np

from .defaults import FILTERS, RES_BLOCKS, UPSAMPLES
from .model import UPSAMPLING


def forward_flops(h, w, *, filters=FILTERS, n_res=RES_BLOCKS, upsample=UPSAMPLES[0]):
    """Multiply-adds x 2 of one forward pass at ``h`` x ``w``: what the benchmark divides by."""
    k = UPSAMPLING[upsample][1]
    H, W = math.ceil(h / 4) * 4 + 16 * n_res, math.ceil(w / 4) * 4 + 16 * n_res
    px = lambda s: (H // s) * (W // s)
    macs = px(1) * 81 * 3 * filters + px(2) * 9 * filters * 2 * filters + px(4) * 9 * 2 * filters * 4 * filters
    macs += sum(2 * (H // 4 - 4 * i) * (W // 4 - 4 * i) * 9 * (4 * filters) ** 2 for i in range(n_res))
    macs += px(2) * k * k * 4 * filters * 2 * filters + px(1) * k * k * 2 * filters * filters
    macs += px(1) * 81 * filters * 3
    return 2 * macs


def checkerboard_energy(image):
    """How strongly ``image`` (H, W, 3) shows the period-2 and period-4 patterns that stride-2
    transposed convs leave (Odena et al. 2016): the luminance spectrum's power at those frequencies
    divided by the median power of their neighbouring frequencies, averaged. About 1 for a natural
    image; a visible checkerboard gives several times that."""
    from skimage.color import rgb2gray

    grey = rgb2gray(np.asarray(image))
    h, w = (s // 4 * 4 for s in grey.shape)
    power = np.abs(np.fft.fft2(grey[:h, :w] - grey[:h, :w].mean())) ** 2
    ratios = []
    for fy in range(0, h, h // 4):
        for fx in range(0, w, w // 4):
            if fy == fx == 0:
                continue
            ys, xs = np.arange(fy - 4, fy + 5) % h, np.arange(fx - 4, fx + 5) % w
            ring = power[np.ix_(ys, xs)].copy()
            ring[3:6, 3:6] = np.nan  # the peak and its immediate neighbours are not the background
            ratios.append(power[fy, fx] / max(np.nanmedian(ring), 1e-12))
    return float(np.mean(ratios))
