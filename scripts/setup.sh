#!/usr/bin/env bash
# Installs what `make demo` / `make test` need, skipping what is already there.
#  - Debian packages for the audio stack (espeak-ng for TTS, libportaudio2 for
#    sounddevice, pulseaudio for the live-audio test) and for reports (graphviz
#    for SVG diagrams, chromium for the HTML report check), and for the telephony
#    tests (baresip and sipp as SIP peers; Asterisk's recorded prompts and hold
#    music: -en makes the sounds/en link the tests read, -wav the files).
#  - a virtual environment in .venv with the package and its test extras.
# Non-root without the Debian packages: says which command to run, then goes on
# (the features that need them report clearly when used).
set -uo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(espeak-ng libespeak-ng1 libportaudio2 pulseaudio pulseaudio-utils graphviz chromium sox fonts-wqy-microhei
              baresip-core sip-tester asterisk-core-sounds-en asterisk-core-sounds-en-wav asterisk-moh-opsound-wav)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 || echo "setup: apt-get update failed; trying the install anyway" >&2
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; then
      echo "setup: could not install ${missing[*]}; speech/report features that need them will say so." >&2
    fi
  else
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating virtual environment .venv" >&2
  "$PYTHON" -m venv .venv || { echo "setup: '$PYTHON -m venv' failed; install python3-venv" >&2; exit 1; }
fi
echo "setup: installing Python packages into .venv" >&2
.venv/bin/python -m pip install -q --upgrade pip >&2 || true
if ! .venv/bin/python -m pip install -q -e ".[dev]" >&2; then
  echo "setup: pip install failed (no network to the package index?)" >&2
  exit 1
fi
