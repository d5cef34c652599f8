"""Super-resolution's choices and defaults, importable without Keras (the CLI's help and checks)."""

SCALE = 4  # the networks' own factor
# upscale/evaluate --scale: 2 and 3 are the x4 result brought down by bicubic filtering (on Set5 as good as
# Lanczos, better than box; the scores: benchmarks/RESULTS.md)
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
# pattern than the photos (evaluate's grid figure; benchmarks/RESULTS.md)
MODELS = ("psnr", "perceptual")
DISTILL_WEIGHT = 0.5  # --distill-from: the teacher's views against the high-res target, half and half
# iterations of back-projection the trained network's result gets (model.back_projected), by --arch: chosen
# on Set5 (two raise PSNR and lower the VGG distance, a third moves neither); none for the course's
# network, kept as the lesson had it
BACK_PROJECTION = {"residual": 2, "course": 0}
# input px on each side of a tile's kept centre: beyond the network's reach (~12 px) plus back-projection's (4 a round)
OVERLAP = 24
MIN_TILE = 2 * OVERLAP + 32  # smaller tiles keep cores of a few px: thousands of calls for one photo
# input px of the tiles the network's x4 tail runs in (upscale._forward): its activations stay under a
# gigabyte at any size, for a little more time than the tail whole (benchmarks/inference_bench.py)
TAIL_TILE = 320
# peak memory upscale's forward pass (the body whole, the x4 tail in TAIL_TILE tiles) adds per output
# pixel, by backend: the shipped network on 800x600 and 1600x1200 photos, CPU (AVX-512), measured by
# benchmarks/inference_bench.py: TF 1.33 and 2.78 GB (63 B a pixel more, on ~0.85 GB for the tail's
# tile), torch 1.97 and 5.73 GB (163 B, on ~0.7 GB), JAX 1.99 and 2.57 GB (25 B, on ~1.8 GB with
# compiling), rounded up. Tiles of huge photos are planned alike: the fixed cost sits in the half of
# the budget left free
BYTES_PER_OUTPUT_PIXEL = {"tensorflow": 100, "torch": 200, "jax": 200}
RESULT_BYTES = 3  # per output pixel, kept all along: the RGB result (576 MB for a 4000x3000 input)
ALPHA_BYTES = 10  # more with transparency: its grey result (3), their sum and mean (4), the alpha, mask, exact (3)
