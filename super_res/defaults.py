"""Super-resolution's choices and defaults, importable without Keras (the CLI's help and checks)."""

SCALE = 4
ARCHS = ("residual", "course")  # residual: bicubic + learned residual, no BatchNorm; course: the lesson's
UPSAMPLES = ("upsample", "deconv")
N_RES = 4  # res blocks in the body: the lesson's four; more are cheap (they run at the input's size)
MODELS = ("perceptual", "psnr")  # shipped inside the package; the first is upscale's default
DISTILL_WEIGHT = 0.5  # --distill-from: the teacher's views against the high-res target, half and half
