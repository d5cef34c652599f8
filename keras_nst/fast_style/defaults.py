"""Lesson 9's fast style transfer (Johnson et al. 2016): the image transform net's and its loss's
defaults, every list of choices and the memory plan, importable without Keras."""

NORMS = ("instance", "batch")  # instance: Ulyanov et al., what the fast-style peers use; batch: the paper's
UPSAMPLES = ("resize", "deconv3", "deconv4")  # nearest x2 + conv (no checkerboard); transposed convs
FILTERS = 32  # the paper's 32-64-128 trunk
RES_BLOCKS = 5
CONTENT_LAYER = "block2_conv2"  # the course's and the paper's relu2_2
CONTENT_WEIGHT = 1.0
STYLE_WEIGHT = 5.0  # at 1, 80 steps bought the palette but not the strokes (content 115k vs style 39k)
TV_WEIGHT = 0.0
BATCH_SIZE = 4
VAL_FRACTION = 0.05
SIZE = 1024  # fast-stylize's working size (longer side, px) for larger photos: strokes of one size on any photo
# shipped inside the package; the first is fast-stylize's default
MODELS = ("starry_night", "candy", "wave_kanagawa", "the_scream")
OVERLAP = 32  # px cross-faded between neighbouring tiles
MIN_TILE = 4 * OVERLAP
# peak memory of a forward pass (core.backend.predict) per pixel, by backend: the 32-filter trunk,
# float32, at 768 and 1536 px square, CPU, 520-2400 B measured (benchmarks/inference_bench.py --task
# fast), rounded up. Larger photos go in tiles
BYTES_PER_PIXEL = {"tensorflow": 1000, "torch": 1400, "jax": 3000}
# held whole beside the tiles, per pixel of the working size: the resized photo (uint8 and its float32
# copy), the float32 result and its uint8 image
HELD_BYTES = 40
VALIDATION_STEPS = 4  # batches of held-out photos scored each epoch: a trend, at a few % of an epoch's time
# fast-stylize clip.mp4 --temporal-blend: the share of the previous result (warped along the optical
# flow) kept where the flow is trusted; 0 styles frame by frame. Averaging two frames' strokes also
# softens them: the default trades steadiness against the style's strength (benchmarks/video_bench.py,
# figures in RESULTS.md)
TEMPORAL_BLEND = 0.5
MAX_TEMPORAL_BLEND = 0.95  # at 1 a clip would keep its first frame's strokes for ever
