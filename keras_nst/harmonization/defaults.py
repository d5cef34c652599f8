"""Harmonization (Luan et al. 2018, "Deep Painterly Harmonization"): its defaults and choices,
importable without Keras. Their VGG19 layers relu3_1 ... are this project's VGG16_Avg blockN_conv1."""

# content: the object at block4 (the paper's relu4_1) and at block2, each at the full content weight;
# block4 alone lets parts thinner than its 8 px cells (a lattice bar, a stem) go with the texture
HARMONIZE_CONTENT_LAYERS = {"block2_conv1": 1.0, "block4_conv1": 1.0}
HARMONIZE_PASS1_LAYERS = ("block3_conv1", "block4_conv1", "block5_conv1")  # pass 1: coarse, robust
HARMONIZE_PASS2_LAYERS = tuple(f"block{i}_conv1" for i in range(1, 6))  # pass 2: every scale
HARMONIZE_HISTOGRAM_LAYERS = ("block1_conv1", "block4_conv1")
HARMONIZE_REFERENCE_LAYER = "block4_conv1"  # pass 2's one mapping, carried to the other layers
# the passes optimise only the region's bounding box grown by this many px of context (the features
# inside the region barely see farther), on block5's 16 px grid: the picture beyond is the painting
HARMONIZE_MARGIN = 64
HARMONIZE_ITERS = 5  # L-BFGS rounds (of 20 evaluations) per pass
HARMONIZE_DILATE = 0.015  # the mask grows by this share of the longer side (10 px at 700 px)
HARMONIZE_MAX_MASK = 0.9  # the painting's style comes from the rest: at most this share may be marked
HARMONIZE_TV_WEIGHT = 1e-3
# --style-level: (style weight, histogram weight) from 1 (the object barely touched) to 10 (painted
# over); each level ~1.8x the last in both terms; the default: the paper's texture on its ten shared
# examples (level 6 paints a hair more for a tenth less of the object: benchmarks/RESULTS.md)
STYLE_LEVELS = {level: (10 ** ((level - 5) / 4) * 10.0, 10 ** ((level - 5) / 4) * 1.0) for level in range(1, 11)}
STYLE_LEVEL = 5
# --post: the paper's post-processing after the passes (harmonization/post.py), by name
POSTS = {"paper": ("denoise", "refine"), "denoise": ("denoise",), "none": ()}
HARMONIZE_POST = "paper"
POST_PATCH = 7  # px, the paper's PatchMatch patch width
POST_DIMS = 32  # principal axes the 7x7x3 patches are compared on
