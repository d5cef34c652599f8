"""Super-resolution's choices and defaults, importable without Keras (the CLI's help and checks)."""

SCALE = 4  # the networks' own factor
# upscale/evaluate --scale: 2 and 3 are the x4 result brought down by bicubic filtering (Set5, psnr model:
# +3.0 dB over bicubic at x2, +2.4 at x3; bicubic down scored as well as Lanczos and better than box)
SCALES = (2, 3, 4)
ARCHS = ("residual", "course")  # residual: bicubic + learned residual, no BatchNorm; course: the lesson's
UPSAMPLES = ("upsample", "deconv")
N_RES = 4  # res blocks in the body: the lesson's four; more are cheap (they run at the input's size)
# Lesson 9's perceptual loss (the later course notebook's layers and weights; the lesson used block2_conv2)
LOSS_LAYERS = ("block1_conv2", "block2_conv2", "block3_conv2")
LOSS_LAYER_WEIGHTS = (0.1, 0.8, 0.1)
BATCH_SIZE = 16
VAL_FRACTION = 0.1
# shipped inside the package; the first is upscale's default: psnr, whose results hold no more periodic
# pattern than the photos (evaluate's grid figure, Set5/Set14 means: 0.70/0.47 against perceptual's 14.9/10.1)
MODELS = ("psnr", "perceptual")
DISTILL_WEIGHT = 0.5  # --distill-from: the teacher's views against the high-res target, half and half
# iterations of back-projection the trained network's result gets (model.back_projected), by --arch: chosen
# on Set5 (perceptual: +0.35 dB PSNR-Y, VGG distance 0.440x -> 0.430x bicubic's; a third iteration moves
# neither by 0.002); none for the course's network, kept as the lesson had it
BACK_PROJECTION = {"residual": 2, "course": 0}
# input px on each side of a tile's kept centre: beyond the network's reach (~12 px) plus back-projection's (4 a round)
OVERLAP = 24
MIN_TILE = 2 * OVERLAP + 32  # smaller tiles keep cores of a few px: thousands of calls for one photo
# peak memory a forward pass (core.backend.predict) adds per output pixel, by backend: the shipped
# 16-block network at 800 and 1600 px out, CPU, measured by benchmarks/inference_bench.py (760 / 970 /
# 1413 on AVX2, TF 995-1033 and torch 1052-1100 on AVX-512 with oneDNN's buffers), rounded up. Tiles
# are planned alike: their fixed cost (~0.1-0.4 GB, compiling) sits in the half the budget leaves free
BYTES_PER_OUTPUT_PIXEL = {"tensorflow": 1300, "torch": 1300, "jax": 1800}
RESULT_BYTES = 3  # per output pixel, kept all along: the RGB result (576 MB for a 4000x3000 input)
ALPHA_BYTES = 10  # more with transparency: its grey result (3), their sum and mean (4), the alpha, mask, exact (3)
