#!/usr/bin/env bash
# GPU checks of the preference / RL / distillation work (run on a lent CUDA machine, like
# scripts/gpu_check.sh): the loss functions on CUDA against CPU fp64, and short dpo, rl_arith
# (GRPO and GAE), distill runs on CUDA through the real recipes. Then, when the wheels are
# there, Kitchen vs TRL (benchmarks/gpu_trl_compare.py).
set -uo pipefail
OUT=${OUT:-/tmp/gpu-rl-check}
mkdir -p "$OUT"
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
    --target /tmp/site .whl/*.whl >/dev/null 2>&1 || exit 1
  export PYTHONPATH=/tmp/site:$PWD
fi
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME=$PWD/.hf_home PYTHONUNBUFFERED=1
export KITCHEN_HOME=/tmp/kitchen-gpu-rl
{
  echo "== losses on CUDA =="
  python3 -m pytest -q -p no:cacheprovider tests/losses/test_devices.py -m gpu 2>&1 | tail -3
  echo "== recipes on CUDA =="
  python3 -m kitchen run sft --embedded max_steps=700 epochs=6 eval_samples=100 save_every=0 -q | tail -4
  python3 -m kitchen run dpo --embedded epochs=1 -q | tail -6
  python3 -m kitchen run rl_arith --embedded model=models:/sft-kitchen-tiny eval_temperature=1.0 -q | tail -8
  python3 -m kitchen run rl_arith --embedded model=models:/sft-kitchen-tiny advantage_estimator=gae steps=20 -q | tail -4
  python3 -m kitchen run distill --embedded steps=100 -q | tail -6
  echo "== what the TRL comparison needs =="
  for m in trl accelerate datasets pandas pyarrow dill multiprocess xxhash; do
    python3 -c "import $m; print('$m', getattr($m, '__version__', '?'))" 2>&1 | tail -1
  done
  if [ -f benchmarks/gpu_trl_compare.py ]; then
    echo "== Kitchen vs TRL (TRL rows fail where trl is missing) =="
    timeout 300 python3 benchmarks/gpu_trl_compare.py --repeats 3 --json "$OUT/trl_compare.json"
  fi
} 2>&1 | tee "$OUT/gpu_rl_check.log"
