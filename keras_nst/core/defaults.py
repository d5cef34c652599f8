"""The lessons' defaults and every list of choices, in one place and importable without Keras (the
command lines' help and input checks use them before any model is built)."""

STYLE_LAYERS = tuple(f"block{i}_conv2" for i in range(1, 6))
STYLE_WEIGHTS = (0.05, 0.2, 0.2, 0.25, 0.3)  # lesson 9: more weight on the deeper, larger-scale layers
CONTENT_LAYER = "block4_conv2"  # style transfer
CONTENT_RECON_LAYER = "block5_conv1"  # lesson 8's content reconstruction
CONTENT_WEIGHT = 1.0  # lesson 9 divided by 10 under its own loss normalisation; 1.0 gives its balance here
TV_WEIGHT = 0.0  # total variation: off unless asked for
NOISE_BLUR = 2.0  # lesson 9's Gaussian sigma (px) on the noise start image; 0: lesson 8's plain noise
STYLE_STATS = ("gram", "diagonal")  # what the style term matches: the Gram matrix, or only its diagonal

# Lesson 9's perceptual loss (the later course notebook's layers and weights; the lesson used block2_conv2)
LOSS_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv2")
LOSS_LAYER_WEIGHTS = (0.1, 0.8, 0.1)
PIXEL_LOSSES = ("mse", "l1")
WARMUP_HELP = ("first raise the learning rate linearly from 0 to --lr over this many steps (default 0); for a run "
               "that starts from a trained network, whose first Adam steps would otherwise shake it")

OPTIMIZERS = ("lbfgs-scipy", "lbfgs", "adam")
EVALS_PER_ITER = 20  # one --iters round: the course's maxfun
INITS = ("noise", "content", "style")
PRESERVE_COLORS = ("luminance", "histogram")  # Gatys et al. 2016, "Preserving color in neural artistic style transfer"
PRECISIONS = {"float32": "float32", "mixed": "mixed_bfloat16"}  # choice -> Keras dtype policy
# Lossy image outputs (.jpg, .webp; by Pillow format): Pillow's defaults (JPEG quality 75, 4:2:0 chroma)
# leave a result 32-36 dB (RGB PSNR) from what was computed, with half its colour resolution; these 40-43 dB
LOSSY_SAVE = {"JPEG": dict(quality=95, subsampling=0), "WEBP": dict(quality=95)}

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

# python -m keras_nst report: the standard pairs in ../shared/data (Gatys et al. 2016's photo and paintings)
REPORT_DATA = "../shared/data"  # content/, style/, sr/eval/<set>/: the course data beside a checkout
REPORT_CONTENTS = ("tubingen", "golden_gate", "Kinkaku-ji")
REPORT_STYLES = ("shipwreck", "starry_night", "the_scream", "seated-nude")  # their Figure 2's B-E
REPORT_CONTENT_LAYERS = (*(f"block{i}_conv2" for i in range(1, 6)), CONTENT_RECON_LAYER)  # Figure 1: conv1_2..5_2
REPORT_STYLE_SETS = tuple(tuple(f"block{j}_conv1" for j in range(1, i + 1)) for i in range(1, 6))  # conv1_1..5_1
REPORT_FIG3_STYLE = "starry_night"  # Figure 3's style (theirs, Kandinsky's Composition VII, is not in the data)
REPORT_CONTENT_WEIGHTS = (0.1, 1.0, 10.0)  # Figure 3's columns: more style <- -> more content
REPORT_SR_IMAGES = 3  # rows per SR test set
REPORT_SIZE, REPORT_ITERS = 256, 8
REPORT_SECTIONS = ("style-grid", "content-layers", "style-layers", "layers-by-weight", "super-res", "fast-style")
