#!/usr/bin/env bash
# Every benchmark under bench/ in turn; each prints its own figures and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
export INVITEFLOW_VAR_DIR="${INVITEFLOW_VAR_DIR:-$(mktemp -d)}"
for bench in bench/bench_*.py; do
  [ -e "$bench" ] || { echo "no benchmarks yet"; exit 0; }
  echo "== $bench =="
  .venv/bin/python "$bench"
done
