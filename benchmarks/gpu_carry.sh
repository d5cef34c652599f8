#!/usr/bin/env bash
# Build .carry/ (git-ignored) for a run on the lent GPU box, which has PyTorch and JAX but no
# TensorFlow, no Keras, no bcolz, no internet, and takes at most 64 MiB of the tree (the tracked
# files are ~24 MiB of it, the shipped models mostly), so each kind of run carries its own:
#   bash benchmarks/gpu_carry.sh nst|sr
# both: .carry/whl/  keras, namex, optree, bcolz-zipline wheels for its Python 3.12 (8 MB)
# nst:  .carry/vgg16_half.weights.h5  the checked VGG16 weights in float16 (29 MB), and Tuebingen +
#       Starry Night for benchmarks/nst_bench.py (gpu_run.sh nst|batch)
# sr:   .carry/vgg16_half.weights.h5  the same file with only the blocks the SR loss reads (LOSS_LAYERS,
#       up to block3) kept and the deeper convs zeroed and gzipped (3.5 MB: 29 MB would not fit beside
#       the photos; loading it warns that it is not the checked file, which it is not); and
#       .carry/data/train, the centre SR_REGION (default 640) px square of each SR training photo at
#       its own scale (JPEG q90; the whole photos, 47 MB, would not fit).
#       Evaluate the trained model here (it comes back under $OUT), so Set5/Set14 stay behind.
# Then, on the device (run tool, carry [".carry"]): bash benchmarks/gpu_run.sh, which installs the wheels.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
case "$mode" in nst|sr) ;; *) echo "usage: bash benchmarks/gpu_carry.sh nst|sr" >&2; exit 2 ;; esac
rm -rf .carry && mkdir -p .carry/whl .carry/data
keras_version=$(python -c 'import keras; print(keras.__version__)')
python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .carry/whl \
  "keras==$keras_version" namex optree bcolz-zipline
python -m keras_nst weights --export .carry/vgg16_half.weights.h5 --float16
MODE=$mode python - <<'PY'
import os
from pathlib import Path

import h5py
import numpy as np
from PIL import Image

from keras_nst.core.defaults import LOSS_LAYERS
from keras_nst.core.image_io import load_image
from keras_nst.core.vgg import CONV_LAYERS

src, dst = Path("../shared/data"), Path(".carry/data")
if os.environ["MODE"] == "nst":
    (dst / "nst").mkdir()
    for name in ("content/tubingen.jpg", "style/starry_night.jpg"):
        (dst / "nst" / Path(name).name).write_bytes((src / name).read_bytes())
else:
    side = int(os.environ.get("SR_REGION", 640))
    for p in sorted((src / "sr/train").rglob("*.jpg")):
        out = dst / p.relative_to(src / "sr")
        out.parent.mkdir(parents=True, exist_ok=True)
        # a centre region at native scale, not the photo shrunk: prepare's crops then see the scale
        # the CPU runs train on (the eleventh session's 512 px photos did 0.008x worse on Set14)
        img = load_image(p)
        h, w = img.shape[:2]
        y, x = max(0, (h - side) // 2), max(0, (w - side) // 2)
        Image.fromarray(img[y:y + side, x:x + side]).save(out, quality=90)
    # Keras names the file's convs by class and order (conv2d, conv2d_1, ...), in CONV_LAYERS' order
    keep = 1 + max(CONV_LAYERS.index(name) for name in LOSS_LAYERS)
    dropped = {f"layers/conv2d_{i}" for i in range(keep, len(CONV_LAYERS))}
    full, part = Path(".carry/vgg16_half.weights.h5"), Path(".carry/part.weights.h5")
    with h5py.File(full, "r") as a, h5py.File(part, "w") as b:
        def copy(name, obj):
            if isinstance(obj, h5py.Group):
                b.require_group(name).attrs.update(obj.attrs)
            else:
                zero = name.rsplit("/vars", 1)[0] in dropped
                b.create_dataset(name, data=np.zeros_like(obj[()]) if zero else obj[()], compression="gzip")
                b[name].attrs.update(obj.attrs)
        b.attrs.update(a.attrs)
        a.visititems(copy)
    part.replace(full)
PY
du -sh .carry .carry/*
