"""The shared core's defaults and lists of choices (the VGG16 layers and weights the lessons' losses
read, precisions, image saving), importable without Keras. Each task keeps its own defaults beside
it: ``keras_nst.transfer.defaults``, ``keras_nst.harmonization.defaults``,
``keras_nst.fast_style.defaults``, ``keras_nst.arbitrary.defaults``, ``super_res.defaults``; the
report's sit at the top of ``keras_nst.report``."""

STYLE_LAYERS = tuple(f"block{i}_conv2" for i in range(1, 6))
STYLE_WEIGHTS = (0.05, 0.2, 0.2, 0.25, 0.3)  # lesson 9: more weight on the deeper, larger-scale layers
CONTENT_LAYER = "block4_conv2"  # style transfer
STYLE_STATS = ("gram", "diagonal")  # what the style term matches: the Gram matrix, or only its diagonal
PIXEL_LOSSES = ("mse", "l1")
# the image optimisers (core.optimise): the course's SciPy L-BFGS, and L-BFGS or Adam on the device
OPTIMIZERS = ("lbfgs-scipy", "lbfgs", "adam")
EVALS_PER_ITER = 20  # one --iters round: the course's maxfun
BACKENDS = ("tensorflow", "jax", "torch")  # the Keras backends keras-nst runs on (KERAS_BACKEND)
PRECISIONS = {"float32": "float32", "mixed": "mixed_bfloat16"}  # what a model computes in -> Keras dtype policy
# --precision's choices: auto (the default) is mixed where the device computes bfloat16 natively and the
# backend profits from it (``core.backend.resolve_precision``), float32 elsewhere
PRECISION_CHOICES = ("auto", *PRECISIONS)
PRECISION = PRECISION_CHOICES[0]
# CPU flags of bfloat16 arithmetic in hardware (/proc/cpuinfo): AVX-512 BF16's dot products, AMX's tiles
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
# Lossy image outputs (.jpg, .webp; by Pillow format): Pillow's defaults (JPEG quality 75, 4:2:0 chroma)
# halve a result's colour resolution and blur its strokes; these keep it close to what was computed
LOSSY_SAVE = {"JPEG": dict(quality=95, subsampling=0), "WEBP": dict(quality=95)}
# export --format: what a trained network becomes, with the file suffix each writes ("": a folder)
EXPORT_FORMATS = {"onnx": ".onnx", "litert": ".tflite", "savedmodel": ""}
EXPORT_MIN_PSNR = 45.0  # dB of the exported file's result against the Keras network's, or it is not written
# longer side (px) of the check's result: a photo this size runs through the file's runtime and Keras;
# its sides not multiples of 4, so the networks' padding to a multiple runs too
EXPORT_CHECK_SIDE = 382
# a feed-forward training run's schedule unless told (fast-train, super_res train): Adam from TRAIN_LR,
# cosine-annealed to TRAIN_LR_FINAL
TRAIN_EPOCHS = 2
TRAIN_LR = 1e-3
TRAIN_LR_FINAL = 1e-4
