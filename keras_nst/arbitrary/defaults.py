"""Arbitrary style transfer in one pass (Huang & Belongie 2017, AdaIN): the decoder's and its loss's
defaults, the training data's folders and the memory plan, importable without Keras."""

ENCODER_LAYER = "block4_conv1"  # the paper's relu4_1: where AdaIN swaps the photo's statistics for the painting's
STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")  # relu1_1 .. relu4_1
STYLE_WEIGHT = 10.0  # the paper's lambda
FILTERS = (256, 128, 64)  # the decoder's widths, block 4 -> 1: the encoder's mirror
ALPHA = 1.0  # --alpha: 0 the photo's features, 1 the painting's statistics
CROP = 256  # training crops, px (the paper: 256 of 512)
BATCH_SIZE = 8
STYLE_SIZE = 512  # the painting's longer side when its statistics are taken
MODELS = ("adain",)  # shipped decoders; the first is the default
# peak memory of one stylisation per output pixel (the encoder to block4_conv1, the decoder), by backend:
# an estimate from the fast-style network's measured figures and the two networks' activations per
# pixel, not yet measured with benchmarks/inference_bench.py
BYTES_PER_PIXEL = {"tensorflow": 1600, "torch": 2000, "jax": 3000}
