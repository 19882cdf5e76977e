#!/bin/sh
# The whole pipeline, from nothing to the shipped checkpoint, its fixtures and its metrics.
# Run from the repository root: sh training/run_all.sh [work-dir]
# Needs Debian's PyTorch (see training/README.md); /usr/bin/python3, not a pyenv python.
set -eu
WORK=${1:-/tmp/laser-train}
PY=/usr/bin/python3
mkdir -p "$WORK"

# 1. Worlds, all from the TypeScript generator: training (seed 1000, 4000 scenes, ~10 questions
#    each), a warm-up world of 1-3 objects a scene (seed 1100), validation during training
#    (seed 2000), held-out test (seed 3000), and the samples (seed 42).
node bin/laser.js world generate --seed 1000 --count 4000 --out "$WORK/train-1000" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 1100 --count 1500 --objects 1-3 --out "$WORK/easy-1100" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 2000 --count 60 --out "$WORK/val-2000"
node bin/laser.js world generate --seed 3000 --count 120 --out "$WORK/test-3000"
node bin/laser.js world generate --seed 42 --count 24 --out resources/samples

# 2. Train (fixed step counts; two threads): stage 1, the vision tower on patch labels
#    (pretrain_vision.py: 3000 steps of 48 views decoded once into memory); stage 2, everything on
#    the questions from that stage 1 (train.py: 600 steps of 6 packed rows, the first 150 on the
#    warm-up world). Writes the loss curves and validation accuracy.
(cd training && OPENBLAS_NUM_THREADS=2 $PY pretrain_vision.py --train "$WORK/train-1000" --out "$WORK/stage1.pt" \
  --steps 3000 --cache "$WORK/views-train-1000.npz" --seed 0)
(cd training && OPENBLAS_NUM_THREADS=2 $PY train.py --train "$WORK/train-1000" --warm "$WORK/easy-1100" --val "$WORK/val-2000" \
  --out "$WORK/model.pt" --results results --stage1 "$WORK/stage1.pt" --steps 600 --rows 6 --eval-every 100 --seed 0)

# 3. Export the Hugging Face checkpoint, the test fixtures, the held-out metrics and the plot.
(cd training && $PY export_hf.py --weights "$WORK/model.pt" --out ../resources/models/laser-demo)
(cd training && $PY make_fixtures.py --weights "$WORK/model.pt" --samples ../resources/samples --out ../test/world/fixtures)
(cd training && $PY final_metrics.py --weights "$WORK/model.pt" --test "$WORK/test-3000" --out results/metrics.json)
(cd training && $PY plot.py --training results/training.json --out results/loss.svg)
