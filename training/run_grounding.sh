#!/bin/sh
# Stage 3 experiment (issue 15): continue training the shipped demo model with and without the
# grounding loss, and measure LASER against vanilla on two world seeds training never saw.
# Run from the repository root: sh training/run_grounding.sh [work-dir]
# Needs Debian's PyTorch (training/README.md). Each run: 500 steps, one thread, seed 0; the three
# ran side by side in about 25 minutes on the shared 2-core machine; each evaluation 5 to 25.
set -eu
WORK=${1:-/tmp/laser-ground}
PY=/usr/bin/python3
mkdir -p "$WORK"
node bin/laser.js world generate --seed 1000 --count 4000 --out "$WORK/train-1000" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 1100 --count 1500 --objects 1-3 --out "$WORK/easy-1100" --questions attribute=3,existence=4,relation=2,glyph=2
node bin/laser.js world generate --seed 2000 --count 60 --out "$WORK/val-2000"
node bin/laser.js world generate --seed 5000 --count 500 --out "$WORK/test-5000"
node bin/laser.js world generate --seed 3000 --count 300 --out "$WORK/test-3000"

# name:grounding weight:supervised decoder layers (0-based); weight 0 is plain continued training
for v in g34:1.0:3,4 plain:0:3,4 g2345:1.0:2,3,4,5; do
  n=${v%%:*}; rest=${v#*:}; w=${rest%%:*}; l=${rest#*:}
  (cd training && OPENBLAS_NUM_THREADS=1 $PY ground.py --init ../resources/models/laser-demo --train "$WORK/train-1000" \
    --warm "$WORK/easy-1100" --val "$WORK/val-2000" --out "$WORK/$n.pt" --log "$WORK/train-$n.json" --steps 500 --lr 8e-4 \
    --warmup 30 --ground "$w" --ground-layers "$l" --eval-every 250 --threads 1 --seed 0)
  (cd training && $PY export_hf.py --weights "$WORK/$n.pt" --out "$WORK/hf-$n")
  (cd training && $PY ground_probe.py --model "$WORK/hf-$n" --data "$WORK/test-3000" --scenes 60 --out "$WORK/probe-$n-seed3000.json")
done
(cd training && $PY ground_probe.py --model ../resources/models/laser-demo --data "$WORK/test-3000" --scenes 60 --out "$WORK/probe-shipped-seed3000.json")

node bin/laser.js compile resources/models/laser-demo "$WORK/bundle-shipped"
for n in g34 plain; do node bin/laser.js compile "$WORK/hf-$n" "$WORK/bundle-$n"; done
for n in shipped g34 plain; do
  for s in 5000 3000; do
    node bin/laser.js world evaluate --data "$WORK/test-$s" --bundle "$WORK/bundle-$n" --methods vanilla,laser \
      --cache "$WORK/cache-$n-$s" --threads 1 --out "$WORK/eval-$n-$s.json"
  done
done
(cd training && $PY ground_table.py --out results/grounding-variants.json \
  shipped-5000="$WORK/eval-shipped-5000.json" g34-5000="$WORK/eval-g34-5000.json" plain-5000="$WORK/eval-plain-5000.json" \
  shipped-3000="$WORK/eval-shipped-3000.json" g34-3000="$WORK/eval-g34-3000.json" plain-3000="$WORK/eval-plain-3000.json")
