#!/bin/sh
# GPU check, under 5 minutes: does the CUDA provider run, and the runtime and LASER ratios on it.
# On a machine without CUDA it falls back to CPU and says so. Run from the repository root after
# `npm ci` (and, for CUDA, `ONNXRUNTIME_NODE_INSTALL=true node node_modules/onnxruntime-node/script/install.js`).
set -eu
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "no nvidia-smi: no NVIDIA GPU visible"
exec timeout 290 npx tsx bench/index.ts device
