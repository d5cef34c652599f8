"""Super-resolution's choices and defaults, importable without Keras (the CLI's help and checks)."""

SCALE = 4
ARCHS = ("residual", "course")  # residual: bicubic + learned residual, no BatchNorm; course: the lesson's
UPSAMPLES = ("upsample", "deconv")
MODELS = ("perceptual", "psnr")  # shipped inside the package; the first is upscale's default
