#!/usr/bin/env bash
# Issue 21's real-size figures on a GPU machine in one command: builds the bundle, then runs bench/gpu/real-size.mjs
# (the studio through Dawn, fused and stock, then PyTorch CUDA fp32 and bf16 autocast), within 8 minutes on an H100.
# Usage: bench/gpu/real-size.sh PATH_TO_webgpu_PACKAGE [PYTHON_WITH_CUDA_TORCH] [more flags for real-size.mjs]
# e.g.   bench/gpu/real-size.sh node_modules/webgpu python3 --shapes minilm
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
  echo "usage: bench/gpu/real-size.sh PATH_TO_webgpu_PACKAGE [PYTHON] [flags of bench/gpu/real-size.mjs]" >&2
  exit 2
fi
webgpu=$1
python=${2:-python3}
shift $(( $# >= 2 ? 2 : 1 ))
npx vite build -c bench/gpu/real-size.vite.config.mjs --logLevel warn
# The whole run under a 470 s limit, so that a stall leaves the device's 8 minutes with the figures printed so far.
timeout 470 node bench/gpu/real-size.mjs --webgpu "$webgpu" --python "$python" "$@"
