"""The shared core's defaults and lists of choices (the VGG16 layers and weights the lessons' losses
read, precisions, image saving), importable without Keras. Each task keeps its own defaults beside
it: ``keras_nst.defaults`` (style transfer, the report), ``keras_nst.fast_style.defaults``,
``super_res.defaults``."""

STYLE_LAYERS = tuple(f"block{i}_conv2" for i in range(1, 6))
STYLE_WEIGHTS = (0.05, 0.2, 0.2, 0.25, 0.3)  # lesson 9: more weight on the deeper, larger-scale layers
CONTENT_LAYER = "block4_conv2"  # style transfer
STYLE_STATS = ("gram", "diagonal")  # what the style term matches: the Gram matrix, or only its diagonal
PIXEL_LOSSES = ("mse", "l1")
BACKENDS = ("tensorflow", "jax", "torch")  # the Keras backends keras-nst runs on (KERAS_BACKEND)
PRECISIONS = {"float32": "float32", "mixed": "mixed_bfloat16"}  # choice -> Keras dtype policy
# Lossy image outputs (.jpg, .webp; by Pillow format): Pillow's defaults (JPEG quality 75, 4:2:0 chroma)
# leave a result 32-36 dB (RGB PSNR) from what was computed, with half its colour resolution; these 40-43 dB
LOSSY_SAVE = {"JPEG": dict(quality=95, subsampling=0), "WEBP": dict(quality=95)}
