#!/usr/bin/env bash
# Build .carry/ (git-ignored) for a run on the lent GPU box, which has PyTorch and JAX but no
# TensorFlow, no Keras, no bcolz, no internet, and takes at most 64 MiB of the tree:
#   .carry/whl/     keras, namex, optree, bcolz-zipline wheels for its Python 3.12
#   .carry/vgg16_half.weights.h5   the checked VGG16 weights in float16 (29 MB)
#   .carry/data/    the SR training photos, shorter side at most 512 px (JPEG q90); evaluate the
#                   trained model here (it comes back under $OUT), so Set5/Set14 stay behind;
#                   and Tuebingen + Starry Night for benchmarks/nst_bench.py
# Then, on the device (run tool, carry [".carry"]), start each command with:
#   python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .carry/whl/*.whl \
#     && export PYTHONPATH=/tmp/site KERAS_BACKEND=jax || exit;
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf .carry && mkdir -p .carry/whl .carry/data
keras_version=$(python -c 'import keras; print(keras.__version__)')
python -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d .carry/whl \
  "keras==$keras_version" namex optree bcolz-zipline
python -m keras_nst weights --export .carry/vgg16_half.weights.h5 --float16
python - <<'PY'
from pathlib import Path
from PIL import Image
from keras_nst.core.image_io import load_image
src, dst = Path("../shared/data/sr"), Path(".carry/data")
for p in sorted((src / "train").rglob("*.jpg")):
    out = dst / p.relative_to(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(load_image(p, 512, shorter=True, grow=False)).save(out, quality=90)
for name in ("content/tubingen.jpg", "style/starry_night.jpg"):
    (dst / "nst").mkdir(exist_ok=True)
    (dst / "nst" / Path(name).name).write_bytes((src.parent / name).read_bytes())
PY
du -sh .carry .carry/*
