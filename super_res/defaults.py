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
# iterations of back-projection the trained network's result gets (model.back_projected), by --arch: chosen
# on Set5 (perceptual: +0.35 dB PSNR-Y, VGG distance 0.440x -> 0.430x bicubic's; a third iteration moves
# neither by 0.002); none for the course's network, kept as the lesson had it
BACK_PROJECTION = {"residual": 2, "course": 0}
# input px on each side of a tile's kept centre: beyond the network's reach (~12 px) plus back-projection's (4 a round)
OVERLAP = 24
MIN_TILE = 2 * OVERLAP + 32  # smaller tiles keep cores of a few px: thousands of calls for one photo
