"""Any painting in one pass (Li et al. 2017, WCT; Lu et al. 2019, optimal transport; Huang &
Belongie 2017, AdaIN): the decoders' and their training's defaults, the transforms, the training
data's crops and the memory plan, importable without Keras."""

# The encoder's levels: VGG16_Avg's first conv of each block (the papers' relu1_1 .. relu4_1). Each
# has its own decoder, trained only to give back the picture its features came from.
LEVELS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")
# each level's typical feature size (root mean square over photos and paintings, 0-255 input): the
# decoder's input is divided by it, so its first conv starts at a sensible scale
FEATURE_RMS = (60.0, 300.0, 400.0, 200.0)
WIDTHS = (64, 128, 256)  # the decoders' widths at blocks 1 .. 3: VGG16's own, mirrored
# The reconstruction loss (Li et al. 2017): pixels and the features of these layers (those at or
# below the decoder's level), summed with weight 1 as the paper does
FEATURE_LAYERS = ("block1_conv1", "block2_conv1")
FEATURE_WEIGHT = 1.0
# What replaces the photo's feature statistics with the painting's at each level; the first, the
# default, by the style and content figures on the held-out pairs (benchmarks/RESULTS.md)
TRANSFORMS = ("wct", "ot", "adain")
TRANSFORM = TRANSFORMS[0]
EIGEN_FLOOR = 1e-5  # eigenvalues of a covariance below this share of its largest are floored (float32)
ALPHA = 1.0  # --alpha: 0 the photo's features, 1 the painting's statistics
CROP = 128  # training crops, px
BATCH_SIZE = 8
# the schedule unless told: Adam, cosine-annealed; lower than the style networks' (a target close to
# the identity, often started from a trained shallower decoder)
EPOCHS, STEPS_PER_EPOCH, LR, LR_FINAL = 10, 100, 1e-4, 1e-5
STYLE_SIZE = 512  # the painting's longer side when its statistics are taken
# shipped decoders, found by name (one a level, named after it), all used by default: the levels whose
# decoders trained to a gain on this project's CPUs (benchmarks/RESULTS.md)
MODELS = tuple(f"decoder_{layer}" for layer in LEVELS[:2])
# peak memory of one stylisation per output pixel (the encoder to block4_conv1, the decoders), by backend:
# an estimate from the fast-style network's measured figures and the networks' activations per pixel
BYTES_PER_PIXEL = {"tensorflow": 1600, "torch": 2000, "jax": 3000}
