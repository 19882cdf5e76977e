#!/bin/sh
# Stage 3 experiment (issue 15): continue training the shipped demo model with and without the
# grounding loss, and measure LASER against vanilla on two world seeds training never saw.
# Run from the repository root: sh training/run_grounding.sh [work-dir]
# Needs Debian's PyTorch (training/README.md). Each run: 500 steps (g34nq1000: 1000), one thread,
# seed 0 (--eval-every as each run was made: it sets when validation runs and the weights are saved);
# 11 to 35 minutes a 500-step run on the shared 2-core machine, depending on its load; each
# evaluation 5 to 25.
set -eu
WORK=${1:-/tmp/laser-ground}
PY=/usr/bin/python3
mkdir -p "$WORK"
node bin/laser.js world generate --seed 1000 --count 4000 --out "$WORK/train-1000" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 1100 --count 1500 --objects 1-3 --out "$WORK/easy-1100" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 2000 --count 60 --out "$WORK/val-2000"
node bin/laser.js world generate --seed 5000 --count 500 --out "$WORK/test-5000"
node bin/laser.js world generate --seed 3000 --count 300 --out "$WORK/test-3000"

# name|steps|ground.py loss flags (layers 0-based; weight 0 is plain continued training). g34, plain
# and g2345 are the first round; g34nq, g34cv, g34w3r and g34nq1000 the second (issue 15, stage 3).
for v in "g34|500|--ground 1.0 --ground-layers 3,4 --eval-every 250" "plain|500|--ground 0 --ground-layers 3,4 --eval-every 250" \
    "g2345|500|--ground 1.0 --ground-layers 2,3,4,5 --eval-every 250" "g34nq|500|--ground 1.0 --ground-layers 3,4 --no-query 1.0 --eval-every 250" \
    "g34cv|500|--ground 1.0 --ground-layers 3,4 --no-query 1.0 --contrast 1.0 --vaq-rank 1.0 --eval-every 150" \
    "g34w3r|500|--ground 3.0 --ground-layers 3,4 --no-query 1.0 --vaq-rank 1.0 --eval-every 250" \
    "g34nq1000|1000|--ground 1.0 --ground-layers 3,4 --no-query 1.0 --eval-every 500"; do
  n=${v%%|*}; rest=${v#*|}; steps=${rest%%|*}; flags=${rest#*|}
  # shellcheck disable=SC2086 # $flags is a list of flags
  (cd training && OPENBLAS_NUM_THREADS=1 $PY ground.py --init ../resources/models/laser-demo --train "$WORK/train-1000" \
    --warm "$WORK/easy-1100" --val "$WORK/val-2000" --out "$WORK/$n.pt" --log "$WORK/train-$n.json" --steps "$steps" --lr 8e-4 \
    --warmup 30 $flags --threads 1 --seed 0)
  (cd training && $PY export_hf.py --weights "$WORK/$n.pt" --out "$WORK/hf-$n")
  (cd training && $PY ground_probe.py --model "$WORK/hf-$n" --data "$WORK/test-3000" --scenes 60 --out "$WORK/probe-$n-seed3000.json")
done
(cd training && $PY ground_probe.py --model ../resources/models/laser-demo --data "$WORK/test-3000" --scenes 60 --out "$WORK/probe-shipped-seed3000.json")

node bin/laser.js compile resources/models/laser-demo "$WORK/bundle-shipped"
for n in g34 plain g34nq g34cv g34w3r g34nq1000; do node bin/laser.js compile "$WORK/hf-$n" "$WORK/bundle-$n"; done
for n in shipped g34 plain g34nq g34cv g34w3r g34nq1000; do
  for s in 5000 3000; do
    node bin/laser.js world evaluate --data "$WORK/test-$s" --bundle "$WORK/bundle-$n" --methods vanilla,laser \
      --cache "$WORK/cache-$n-$s" --threads 1 --out "$WORK/eval-$n-$s.json"
  done
done
(cd training && $PY ground_table.py --out results/grounding-variants.json \
  $(for s in 5000 3000; do for n in shipped g34 plain g34nq g34cv g34w3r g34nq1000; do printf '%s ' "$n-$s=$WORK/eval-$n-$s.json"; done; done))
