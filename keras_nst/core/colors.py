"""Gatys et al. 2016, "Preserving color in neural artistic style transfer": the two ways, as
pre- and post-processing with scikit-image's colour spaces and histogram matching."""

import numpy as np
from skimage.color import rgb2ycbcr, ycbcr2rgb
from skimage.exposure import match_histograms


def match_colors(style, content):
    """The style image with the content's colour histogram (Gatys et al. 2016's colour preservation
    by histogram matching), per RGB channel (scikit-image's ``match_histograms``)."""
    reference = content.reshape(-1, content.shape[-2], 3)  # a batch as one tall image
    return np.clip(match_histograms(style, reference, channel_axis=-1), 0, 255).round().astype(np.uint8)


def keep_luminance(result, content):
    """The result's luminance with the content's chroma (YCbCr, ITU-R BT.601): colours stay the photo's."""
    y = rgb2ycbcr(result)[..., :1]
    cbcr = rgb2ycbcr(content)[..., 1:]
    return np.clip(ycbcr2rgb(np.concatenate([y, cbcr], -1)) * 255, 0, 255).round().astype(np.uint8)
