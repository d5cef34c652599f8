"""Lesson 8's optimisation-based style transfer: defaults and lists of choices, importable without
Keras (the command line's help and input checks use them)."""

CONTENT_RECON_LAYER = "block5_conv1"  # lesson 8's content reconstruction
CONTENT_WEIGHT = 1.0  # lesson 9 divided by 10 under its own loss normalisation; 1.0 gives its balance here
TV_WEIGHT = 0.0  # total variation: off unless asked for
NOISE_BLUR = 2.0  # lesson 9's Gaussian sigma (px) on the noise start image; 0: lesson 8's plain noise
# "arbitrary": the one-pass painting (keras_nst.arbitrary) of the content, made by the command line
# and handed to the task as start pictures (a task imports only itself and the core)
INITS = ("noise", "content", "style", "arbitrary")
PRESERVE_COLORS = ("luminance", "histogram")  # Gatys et al. 2016, "Preserving color in neural artistic style transfer"
# transfer --content clip.mp4 (Ruder et al. 2016): the temporal term's weight (--temporal-weight; 0: every
# frame on its own, from noise), and the rounds a shot's first frame gets, as a multiple of --iters
# (the later frames start from the last result carried along the optical flow)
TEMPORAL_WEIGHT = 1.0
FIRST_FRAME_ROUNDS = 3
