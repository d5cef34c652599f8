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
