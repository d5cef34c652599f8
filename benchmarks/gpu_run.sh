#!/usr/bin/env bash
# The GPU figures of RESULTS.md in device calls of under 10 minutes each, from the repo root on the
# GPU box with .carry/ (benchmarks/gpu_carry.sh) carried:   bash benchmarks/gpu_run.sh nst|batch|sr
# Writes JSON lines, logs and the trained SR model under $OUT. Environment knobs (defaults are the
# issue's runs): SIZES, EVALS, SR_SIZES, SR_CROPS, SR_EPOCHS, SR_MINUTES, SR_LOSS, SR_INIT,
# KERAS_BACKEND (jax). SR_LOSS=psnr (default) trains the pixel-only model; SR_LOSS=perceptual goes on
# from SR_INIT (default: the shipped `perceptual`, which travels with the tree) with the CPU cycles'
# recipe (features + 10 x pixel MSE, lr 1e-4 -> 1e-6 after a 100-step warm-up; benchmarks/RESULTS.md).
# psnr training longer than one call: copy the returned sr.keras.ckpt/ to .carry/ and call `sr` again;
# it resumes there (same seeded crops, the cosine schedule spans SR_EPOCHS over all the calls). A
# perceptual checkpoint holds the VGG16 too (~60 MB, over the 16 MiB a returned file may have), so
# that stage must fit in one call.
set -euo pipefail
OUT=${OUT:-/tmp/keras-nst-out}
mkdir -p "$OUT"
if ! python3 -c 'import keras, bcolz' 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .carry/whl/*.whl
  export PYTHONPATH=/tmp/site
fi
export KERAS_BACKEND=${KERAS_BACKEND:-jax} PYTHONUNBUFFERED=1
weights=.carry/vgg16_half.weights.h5
nst=(--weights "$weights" --content .carry/data/nst/tubingen.jpg --style .carry/data/nst/starry_night.jpg)
case "${1:-}" in
  nst)  # optimisers vs the PyTorch peer, float32 and mixed, at 512 and 1024 px
    for size in ${SIZES:-512 1024}; do
      for precision in float32 mixed; do
        python3 benchmarks/nst_bench.py --size "$size" --evals "${EVALS:-210}" --precision "$precision" "${nst[@]}" \
          | tee -a "$OUT/nst.jsonl"
      done
    done ;;
  batch)  # 8 images at 256 px as one batch against one at a time
    python3 benchmarks/nst_bench.py --size "${SIZES:-256}" --evals "${EVALS:-20}" --batch 8 --optimizers lbfgs \
      --no-peer "${nst[@]}" | tee -a "$OUT/batch.jsonl" ;;
  sr)  # prepare random crops, then train for a bounded time; evaluate the returned model at home
    read -r lo hi <<< "${SR_SIZES:-72 288}"
    python3 -m super_res prepare --src .carry/data/train --out /tmp/sr-data --sizes "$lo" "$hi" \
      --crops-per-image "${SR_CROPS:-40}" --workers "$(nproc)" --overwrite 2>&1 | tail -n 5 | tee "$OUT/prepare.log"
    resume=()
    if [ -d .carry/sr.keras.ckpt ]; then cp -r .carry/sr.keras.ckpt "$OUT/"; resume=(--resume); fi
    if [ "${SR_LOSS:-psnr}" = psnr ]; then loss=(--feature-weight 0 --pixel-weight 1 --lr-final 1e-5)
    else loss=(--init-from "${SR_INIT:-perceptual}" --feature-weight 1 --pixel-weight 10 --pixel-loss mse --lr 1e-4
               --lr-final 1e-6 --warmup 100); fi
    python3 -m super_res train --data /tmp/sr-data --out "$OUT/sr.keras" --weights "$weights" "${resume[@]}" \
      --epochs "${SR_EPOCHS:-30}" --time-limit "${SR_MINUTES:-8}" "${loss[@]}" --batch-size 16 \
      --precision mixed 2>&1 | tr '\r' '\n' | grep -v '%|' | tee -a "$OUT/train.log" ;;
  *) echo "usage: bash benchmarks/gpu_run.sh nst|batch|sr" >&2; exit 2 ;;
esac
