#!/usr/bin/env bash
# The GPU figures of RESULTS.md, on any machine with a GPU and this package installed
# (pip install -r requirements.txt, plus jax or torch for their backends), from the repository root:
#   bash benchmarks/gpu.sh nst     optimisers vs the PyTorch peer at 512 and 1024 px, float32 and mixed
#   bash benchmarks/gpu.sh batch   8 images at 256 px in one batch against one at a time
#   bash benchmarks/gpu.sh sr      train perceptual further on 72 -> 288 px crops, then score it
# JSON lines and logs go to $OUT (default ./gpu-results). Knobs: DATA (the course data, default
# ../shared/data), SIZES, EVALS, KERAS_BACKEND (default jax for nst and batch, torch for sr),
# SR_MINUTES (default 30), SR_BATCH (crops a step, default 64), SR_LR (default 1e-4).
set -euo pipefail
OUT=${OUT:-gpu-results}
DATA=${DATA:-../shared/data}
mkdir -p "$OUT"
backend=jax; [ "${1:-}" = sr ] && backend=torch
export KERAS_BACKEND=${KERAS_BACKEND:-$backend} PYTHONUNBUFFERED=1
nst=(--content "$DATA/content/tubingen.jpg" --style "$DATA/style/starry_night.jpg")
case "${1:-}" in
  nst)
    for size in ${SIZES:-512 1024}; do
      for precision in float32 mixed; do
        python benchmarks/nst_bench.py --size "$size" --evals "${EVALS:-210}" --precision "$precision" "${nst[@]}"
      done
    done | tee -a "$OUT/nst.jsonl" ;;
  batch)
    python benchmarks/nst_bench.py --size "${SIZES:-256}" --evals "${EVALS:-20}" --batch 8 --optimizers lbfgs \
      --no-peer "${nst[@]}" | tee -a "$OUT/batch.jsonl" ;;
  sr)
    python -m super_res prepare --src "$DATA/sr/train" --out "$OUT/sr-data" --sizes 72 288 --crops-per-image 64 \
      --overwrite | tail -n 1
    python -m super_res train --data "$OUT/sr-data" --out "$OUT/sr.keras" --init-from perceptual --feature-weight 1 \
      --pixel-weight 5 --lr "${SR_LR:-1e-4}" --lr-final 1e-6 --warmup 100 --epochs 10 --steps-per-epoch 400 \
      --batch-size "${SR_BATCH:-64}" --precision mixed --augment --val-fraction 0.03 \
      --time-limit "${SR_MINUTES:-30}" --overwrite 2>&1 | tr '\r' '\n' | grep -v '%|' | tee "$OUT/train.log"
    for set in Set5 Set14; do
      python -m super_res evaluate --model "$OUT/sr.keras" perceptual psnr --images "$DATA/sr/eval/$set" \
        --json "$OUT/$set.json" | tee "$OUT/$set.txt"
    done ;;
  *) echo "usage: bash benchmarks/gpu.sh nst|batch|sr" >&2; exit 2 ;;
esac
