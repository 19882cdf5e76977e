#!/bin/sh
# Issue 15: the shipped demo model under each of the spec's crop rules (knob cropRule, step 8),
# LASER against vanilla on the two world seeds training never saw (as run_grounding.sh evaluates
# them). Only the crop changes: the map, the chosen layer and vanilla's answers are the same in
# every row (vanilla runs once per seed, then comes from the record cache).
# Run from the repository root: sh training/run_crop_rules.sh [work-dir]
# 4 to 15 minutes an evaluation on the shared 2-core machine, depending on its load; about 40 in all.
set -eu
WORK=${1:-/tmp/crop-rules}
PY=/usr/bin/python3
mkdir -p "$WORK"
node bin/laser.js world generate --seed 5000 --count 500 --out "$WORK/test-5000"
node bin/laser.js world generate --seed 3000 --count 300 --out "$WORK/test-3000"
node bin/laser.js compile resources/models/laser-demo "$WORK/bundle-shipped"
for s in 5000 3000; do
  for r in centroid topk-bbox vicrop-window; do
    node bin/laser.js world evaluate --data "$WORK/test-$s" --bundle "$WORK/bundle-shipped" --methods vanilla,laser --cropRule "$r" \
      --cache "$WORK/cache-$s" --threads 1 --out "$WORK/eval-$r-$s.json"
  done
done
(cd training && $PY ground_table.py --out results/crop-rules.json \
  $(for s in 5000 3000; do for r in centroid topk-bbox vicrop-window; do printf '%s ' "$r-$s=$WORK/eval-$r-$s.json"; done; done))
