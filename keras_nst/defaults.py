"""Lesson 8's optimisation-based style transfer and the course report: defaults and lists of
choices, importable without Keras (the command line's help and input checks use them)."""

CONTENT_RECON_LAYER = "block5_conv1"  # lesson 8's content reconstruction
CONTENT_WEIGHT = 1.0  # lesson 9 divided by 10 under its own loss normalisation; 1.0 gives its balance here
TV_WEIGHT = 0.0  # total variation: off unless asked for
NOISE_BLUR = 2.0  # lesson 9's Gaussian sigma (px) on the noise start image; 0: lesson 8's plain noise
OPTIMIZERS = ("lbfgs-scipy", "lbfgs", "adam")
EVALS_PER_ITER = 20  # one --iters round: the course's maxfun
INITS = ("noise", "content", "style")
PRESERVE_COLORS = ("luminance", "histogram")  # Gatys et al. 2016, "Preserving color in neural artistic style transfer"

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

# harmonize (Luan et al. 2018 with VGG16-avg; their VGG19 layers relu3_1 ... are our blockN_conv1)
HARMONIZE_CONTENT_LAYER = "block4_conv1"
HARMONIZE_PASS1_LAYERS = ("block3_conv1", "block4_conv1", "block5_conv1")  # pass 1: coarse, robust
HARMONIZE_PASS2_LAYERS = tuple(f"block{i}_conv1" for i in range(1, 6))  # pass 2: every scale
HARMONIZE_HISTOGRAM_LAYERS = ("block1_conv1", "block4_conv1")
HARMONIZE_REFERENCE_LAYER = "block4_conv1"  # pass 2's one mapping, carried to the other layers
HARMONIZE_ITERS = 5  # L-BFGS rounds (of 20 evaluations) per pass
HARMONIZE_DILATE = 0.015  # the mask grows by this share of the longer side (10 px at 700 px)
HARMONIZE_MAX_MASK = 0.9  # the painting's style comes from the rest: at most this share may be marked
HARMONIZE_TV_WEIGHT = 1e-3
# --style-level: (style weight, histogram weight) from 1 (the object barely touched) to 10 (painted
# over); each level ~1.8x the last in both terms; the default chosen by eye on the paper's shield example
STYLE_LEVELS = {level: (10 ** ((level - 5) / 4) * 10.0, 10 ** ((level - 5) / 4) * 1.0) for level in range(1, 11)}
STYLE_LEVEL = 5
