#!/usr/bin/env bash
# The GPU figures of RESULTS.md in device calls of under 10 minutes each, from the repo root on the
# GPU box with .carry/ (benchmarks/gpu_carry.sh) carried:   bash benchmarks/gpu_run.sh nst|batch|sr
# Writes JSON lines, logs and the trained SR model under $OUT. Environment knobs (defaults are the
# issue's runs): SIZES, EVALS, KERAS_BACKEND (nst, batch: jax; sr: torch, the backend every shipped
# model trained on, with no compile time in a 10-minute call), SR_SIZES, SR_CROPS, SR_EPOCHS,
# SR_MINUTES, SR_STEP, SR_SEED, SR_LOSS, SR_INIT, SR_LR (perceptual's peak), SR_BATCH (crops a step,
# default 16; 64 keeps an H200 busier). SR_LOSS=psnr (default) trains the pixel-only model from scratch; SR_LOSS=perceptual
# goes on from SR_INIT (default: the shipped `perceptual`, which travels with the tree) with the CPU
# cycles' recipe (features + 10 x pixel MSE, lr SR_LR (2e-4) -> 1e-6 after a 100-step warm-up;
# benchmarks/RESULTS.md). A run fits in one call: its schedule is sized to
# SR_MINUTES by a timed calibration; to go on, carry the returned model and set SR_INIT to it.
# SR_DISTILL=MODEL adds self-ensemble distillation from MODEL (train --distill-from; e.g. perceptual).
# SR_BP_TRAIN=1 trains through the model's back-projection (train --train-back-projected).
set -euo pipefail
OUT=${OUT:-/tmp/keras-nst-out}
mkdir -p "$OUT"
if ! python3 -c 'import keras, bcolz' 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .carry/whl/*.whl
  export PYTHONPATH=/tmp/site
fi
backend=jax; [ "${1:-}" = sr ] && backend=torch
export KERAS_BACKEND=${KERAS_BACKEND:-$backend} PYTHONUNBUFFERED=1
weights=.carry/vgg16_half.weights.h5
if { [ "${1:-}" = nst ] || [ "${1:-}" = batch ]; } && [ ! -d .carry/data/nst ]; then
  echo "no full VGG16 and NST images in .carry: bash benchmarks/gpu_carry.sh nst" >&2; exit 2
fi
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
  sr)  # prepare random crops, time a few steps, then train for the rest of the call; evaluate at home
    [ -d .carry/data/train ] || { echo "no SR photos in .carry: bash benchmarks/gpu_carry.sh sr" >&2; exit 2; }
    read -r lo hi <<< "${SR_SIZES:-72 288}"
    python3 -m super_res prepare --src .carry/data/train --out /tmp/sr-data --sizes "$lo" "$hi" \
      --crops-per-image "${SR_CROPS:-64}" --workers "$(nproc)" --overwrite 2>&1 | tail -n 1 | tee "$OUT/prepare.log"
    if [ "${SR_LOSS:-psnr}" = psnr ]; then loss=(--feature-weight 0 --pixel-weight 1 --lr 1e-3 --lr-final 1e-5)
    else loss=(--init-from "${SR_INIT:-perceptual}" --feature-weight 1 --pixel-weight 10 --pixel-loss mse
               --lr "${SR_LR:-2e-4}" --lr-final 1e-6 --warmup 100); fi
    if [ -n "${SR_DISTILL:-}" ]; then loss+=(--distill-from "$SR_DISTILL"); fi
    if [ -n "${SR_BP_TRAIN:-}" ]; then loss+=(--train-back-projected); fi
    common=(--data /tmp/sr-data --weights "$weights" --batch-size "${SR_BATCH:-16}" --precision mixed
            --val-fraction 0.03 --augment --seed "${SR_SEED:-0}" --overwrite "${loss[@]}")
    train() {  # $1: the seconds it may take, then its own options; tqdm's bars left out of the log
      local limit=$1; shift
      timeout "$limit" python3 -m super_res train "${common[@]}" "$@" 2>&1 | tr '\r' '\n' | grep -v '%|'
    }
    # The cosine schedule must end inside the call, so its length comes from the step time: the second
    # of two short epochs (the first pays for cuDNN's autotuning and the first allocations).
    # SR_STEP (seconds), from an earlier call's train.log, skips it.
    mkdir -p /tmp/sr-run
    step=${SR_STEP:-}
    if [ -z "$step" ]; then
      train 180 --out /tmp/sr-run/calibrate.keras --epochs 2 --steps-per-epoch 30 --warmup 10 | tee "$OUT/calibrate.log"
      step=$(sed -n 's/^epoch 2: .*; \([0-9]*\) steps in \([0-9.]*\) s$/\2 \1/p' "$OUT/calibrate.log" | awk '{print $1 / $2}')
    fi
    [ -n "$step" ] || { echo "no step time in calibrate.log" >&2; exit 1; }
    minutes=${SR_MINUTES:-7} epochs=${SR_EPOCHS:-10}
    # ~40 s of the minutes go to start-up, the held-out loss each epoch and the checkpoints
    steps=$(awk -v m="$minutes" -v s="$step" -v e="$epochs" 'BEGIN { print int((60 * m - 40) / s / e) }')
    echo "step $step s: $epochs epochs of $steps steps in $minutes minutes" | tee -a "$OUT/train.log"
    train "$(awk -v m="$minutes" 'BEGIN { print int(60 * m + 120) }')" --out /tmp/sr-run/sr.keras --epochs "$epochs" \
      --steps-per-epoch "$steps" --time-limit "$minutes" | tee -a "$OUT/train.log"
    cp /tmp/sr-run/sr.keras "$OUT/" ;;
  *) echo "usage: bash benchmarks/gpu_run.sh nst|batch|sr" >&2; exit 2 ;;
esac
