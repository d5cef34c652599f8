"""Lesson 9's perceptual loss for super-resolution, as terms of the shared loss contract.

Pixel MSE rewards the blurry average of all plausible sharp images; matching activations of a
frozen VGG16 (the shared core's, same weights and caffe preprocessing) rewards the right textures.
The later course notebook used block1_conv2, block2_conv2, block3_conv2 weighted 0.1, 0.8, 0.1;
the lesson itself block2_conv2 alone. A pixel term (MSE, or L1 as EDSR) can be mixed in, or used
alone (``feature_weight=0``: no VGG16 at all) for the distortion-oriented model.
"""

from keras_nst.core.terms import content_term, pixel_term
from keras_nst.core.trainer import PerceptualLoss

from .defaults import LOSS_LAYER_WEIGHTS, LOSS_LAYERS


def sr_terms(*, feature_weight=1.0, loss_layers=LOSS_LAYERS, layer_weights=None, pixel_weight=0.0, pixel_loss="mse"):
    """The features term (against the high-res image's activations) and the pixel term."""
    loss_layers = tuple(loss_layers)
    if layer_weights is None and loss_layers == LOSS_LAYERS:
        layer_weights = LOSS_LAYER_WEIGHTS
    return [content_term(loss_layers, layer_weights, weight=feature_weight, option="--feature-weight"),
            pixel_term(weight=pixel_weight, kind=pixel_loss)]


def vgg_distance(vgg_weights="auto"):
    """``distance(hr, sr)``: the training loss's own feature measure (default layers and weights, no
    pixel term), which ``evaluate`` reports beside PSNR and SSIM."""
    return PerceptualLoss(sr_terms(), vgg_weights=vgg_weights)
