#!/usr/bin/env bash
# GPU checks for a lent CUDA machine (see README "GPU checks"): the SFT demo on CUDA (bf16
# autocast, fused AdamW), the resume and invariant tests, and the backend's gpu-marked contract
# tests, and the engine's pause/resume on CUDA (scripts/gpu_engine_check.py). Missing
# pure-Python deps (duckdb, sqlmodel, fastapi, uvicorn, httpx, psutil, ... for the device's
# Python) travel as wheels in .whl/ (git-ignored).
set -uo pipefail
OUT=${OUT:-/tmp/gpu-check}
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl || exit 1
  export PYTHONPATH=/tmp/site:$PWD
fi
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME=$PWD/.hf_home PYTHONUNBUFFERED=1
export KITCHEN_HOME=/tmp/kitchen-gpu-home
{
  nvidia-smi -L
  python3 -c "import torch, transformers; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0)); print('transformers', transformers.__version__)"
  echo "== demo on CUDA =="
  /usr/bin/time -v python3 -m kitchen run sft 2>&1 | grep -v -E "^\s+(Page|Volun|Invol|Swaps|File|Socket|Signals|Average|Exit|Minor|Major|Percent|System time|User time)"
  python3 -m kitchen runs
  echo "== engine: pause frees the GPU, resume matches an unpaused run =="
  python3 scripts/gpu_engine_check.py /tmp/kitchen-gpu-engine
  echo "== integration + gpu contract tests =="
  python3 -m pytest -q -p no:cacheprovider tests/integration \
    tests/adapters/test_training_contract.py tests/adapters/test_torch_backend.py -m "gpu or integration"
} 2>&1 | tee "$OUT/gpu_check.log"
