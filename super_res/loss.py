"""Lesson 9's perceptual loss: compare VGG16 activations of the upscaled image and the original.

Pixel MSE rewards the blurry average of all plausible sharp images; matching activations of a
frozen VGG16 (``keras_nst``'s, same weights and caffe preprocessing) rewards the right textures.
The later course notebook used block1_conv2, block2_conv2, block3_conv2 weighted 0.1, 0.8, 0.1;
the lesson itself block2_conv2 alone. A pixel-MSE term can be mixed in.
"""

import keras
from keras import ops

from keras_nst.experiments import vgg16_avg
from keras_nst.features import as_list, feature_model, layer_spec, preproc_tensor
from keras_nst.losses import mse

LOSS_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv2")
LAYER_WEIGHTS = (0.1, 0.8, 0.1)


class PerceptualLoss:
    """``loss(hr, sr)`` on 0-255 RGB batches: weighted feature MSEs plus ``pixel_weight`` x pixel MSE."""

    def __init__(self, layers=LOSS_LAYERS, weights=None, pixel_weight=0.0, vgg_weights="auto", precision="float32"):
        self.layers, self.weights = layer_spec(layers, weights, LOSS_LAYERS, LAYER_WEIGHTS, "loss")
        self.pixel_weight = float(pixel_weight)
        self.features = feature_model(vgg16_avg(vgg_weights, precision), self.layers)
        self.features.trainable = False

    def __call__(self, hr, sr):
        hr, sr = ops.cast(hr, "float32"), ops.cast(sr, "float32")
        got = as_list(self.features(preproc_tensor(sr)))
        want = [ops.stop_gradient(f) for f in as_list(self.features(preproc_tensor(hr)))]  # no backward pass
        total = sum(w * mse(a, b) for a, b, w in zip(got, want, self.weights))
        if self.pixel_weight:
            total = total + self.pixel_weight * mse(sr, hr)
        return total


class PerceptualTrainer(keras.Model):
    """Trains ``sr`` (lr -> hr) on ``loss(hr, sr(lr))``; the frozen VGG16 travels with it."""

    def __init__(self, sr, loss, **kwargs):
        super().__init__(**kwargs)
        self.sr, self.perceptual, self.vgg = sr, loss, loss.features

    def call(self, x, training=False):
        return self.sr(x, training=training)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return self.perceptual(y, y_pred)  # Keras' train/test steps track it as "loss"
