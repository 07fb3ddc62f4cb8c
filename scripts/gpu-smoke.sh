#!/usr/bin/env bash
# GPU smoke test, for a machine with an NVIDIA GPU (driver, CUDA 11 runtime and cuDNN 8 libraries
# on the loader path: TensorFlow 2.10's natives, which the build unpacks, use them when present).
# Runs the 150 Iris rows as one job on a worker with BATCHLINE_WORKER_DEVICE=gpu, then on one with
# cpu, and compares the outputs: same classes, probabilities within 1e-4. Exit 0 when they agree,
# 1 when they differ or the GPU worker did not run on the GPU, 2 when there is no GPU here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu-smoke: no NVIDIA GPU here (nvidia-smi finds none): nothing to check" >&2
  exit 2
fi
nvidia-smi -L

./mvnw -B -q package -DskipTests
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
# the Iris rows as job items, one JSON array per line
tail -n +2 engine/src/main/resources/iris.csv | awk -F, 'NF >= 4 { printf "[%s,%s,%s,%s]\n", $1, $2, $3, $4 }' \
  > "$SCRATCH/iris.ndjson"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_on() { # device: runs one job on a fresh local pipeline, results in $SCRATCH/<device>.jsonl
  local device=$1 work="$SCRATCH/work-$1" port
  port=$(free_port)
  mkdir -p "$work"
  BATCHLINE_WORK_DIR="$work" BATCHLINE_WORKER_DEVICE="$device" BATCHLINE_API_PORT="$port" \
    BATCHLINE_LOCAL_KAFKA_PORT=$(free_port) BATCHLINE_LOCAL_POSTGRES_PORT=$(free_port) \
    ./batchline up --workers 1 > "$work/up.log" 2>&1 &
  local up=$!
  for _ in $(seq 1 180); do
    grep -q "Batchline is up" "$work/up.log" && break
    kill -0 "$up" 2>/dev/null || { cat "$work/up.log" >&2; echo "gpu-smoke: 'up' on $device failed" >&2; exit 1; }
    sleep 1
  done
  BATCHLINE_WORK_DIR="$work" BATCHLINE_API_URL="http://localhost:$port" \
    ./batchline submit "$SCRATCH/iris.ndjson" --model iris --wait --out "$SCRATCH/$device.jsonl" --progress none
  # the worker logs the device each model was loaded on
  grep -h "Model iris" "$work/logs/"worker-*.log | head -1
  if [ "$device" = gpu ] && ! grep -q "on gpu(" "$work/logs/"worker-*.log; then
    echo "gpu-smoke: the worker did not load its models on the GPU" >&2
    kill "$up"; wait "$up" || true
    exit 1
  fi
  kill "$up"
  wait "$up" || true
}

run_on gpu
run_on cpu
python3 - "$SCRATCH/gpu.jsonl" "$SCRATCH/cpu.jsonl" <<'PY'
import json, sys
def load(path):
    return {r["index"]: r for r in map(json.loads, open(path))}
gpu, cpu = load(sys.argv[1]), load(sys.argv[2])
assert gpu.keys() == cpu.keys() and len(gpu) == 150, (len(gpu), len(cpu))
worst = 0.0
for i, g in gpu.items():
    c = cpu[i]
    assert g["output"]["class_id"] == c["output"]["class_id"], (i, g, c)
    worst = max(worst, max(abs(a - b) for a, b in zip(g["output"]["probabilities"], c["output"]["probabilities"])))
assert worst < 1e-4, worst
print(f"gpu-smoke: 150 rows agree on GPU and CPU (largest probability difference {worst:.2e})")
PY
