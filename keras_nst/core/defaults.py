"""The lessons' defaults and every list of choices, in one place and importable without Keras (the
command lines' help and input checks use them before any model is built)."""

STYLE_LAYERS = tuple(f"block{i}_conv2" for i in range(1, 6))
STYLE_WEIGHTS = (0.05, 0.2, 0.2, 0.25, 0.3)  # lesson 9: more weight on the deeper, larger-scale layers
CONTENT_LAYER = "block4_conv2"  # style transfer
CONTENT_RECON_LAYER = "block5_conv1"  # lesson 8's content reconstruction
CONTENT_WEIGHT = 1.0  # lesson 9 divided by 10 under its own loss normalisation; 1.0 gives its balance here
TV_WEIGHT = 0.0  # total variation: off unless asked for

# Lesson 9's perceptual loss (the later course notebook's layers and weights; the lesson used block2_conv2)
LOSS_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv2")
LOSS_LAYER_WEIGHTS = (0.1, 0.8, 0.1)
PIXEL_LOSSES = ("mse", "l1")

OPTIMIZERS = ("lbfgs-scipy", "lbfgs", "adam")
EVALS_PER_ITER = 20  # one --iters round: the course's maxfun
INITS = ("noise", "content", "style")
PRESERVE_COLORS = ("luminance", "histogram")  # Gatys et al. 2016, "Preserving color in neural artistic style transfer"
PRECISIONS = {"float32": "float32", "mixed": "mixed_bfloat16"}  # choice -> Keras dtype policy

# Lesson 9's fast style transfer (Johnson et al. 2016): the image transform net and its loss
NORMS = ("instance", "batch")  # instance: Ulyanov et al., what the fast-style peers use; batch: the paper's
FAST_UPSAMPLES = ("resize", "deconv3", "deconv4")  # nearest x2 + conv (no checkerboard); transposed convs
FAST_FILTERS = 32  # the paper's 32-64-128 trunk
FAST_RES_BLOCKS = 5
FAST_CONTENT_LAYER = "block2_conv2"  # the course's and the paper's relu2_2
FAST_CONTENT_WEIGHT = 1.0
FAST_STYLE_WEIGHT = 5.0  # at 1, 80 steps bought the palette but not the strokes (content 115k vs style 39k)
FAST_TV_WEIGHT = 0.0
FAST_IMAGE_SIZE = 256
FAST_MODELS = ("starry_night", "candy")  # shipped inside the package; the first is fast-stylize's default
