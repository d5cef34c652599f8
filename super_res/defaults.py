"""Super-resolution's choices and defaults, importable without Keras (the CLI's help and checks)."""

SCALE = 4  # the networks' own factor
# upscale/evaluate --scale: 2 and 3 are the x4 result brought down by bicubic filtering (Set5, psnr model:
# +3.0 dB over bicubic at x2, +2.4 at x3; bicubic down scored as well as Lanczos and better than box)
SCALES = (2, 3, 4)
ARCHS = ("residual", "course")  # residual: bicubic + learned residual, no BatchNorm; course: the lesson's
UPSAMPLES = ("upsample", "deconv")
N_RES = 4  # res blocks in the body: the lesson's four; more are cheap (they run at the input's size)
MODELS = ("perceptual", "psnr")  # shipped inside the package; the first is upscale's default
DISTILL_WEIGHT = 0.5  # --distill-from: the teacher's views against the high-res target, half and half
MIN_SIDE = 5  # upscale's inputs: the 9x9 convs mirror-pad 4 px, which needs more than 4 px to mirror
OVERLAP = 16  # input px on each side of a tile's kept centre: beyond the network's reach (~12 px)
MIN_TILE = 2 * OVERLAP + 32  # smaller tiles keep cores of a few px: thousands of calls for one photo
