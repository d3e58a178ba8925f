"""Spoken-digit accuracy and real-time factor on real recordings.

    .venv/bin/python benchmarks/asr_digits.py [--quick | --limit N] [--format json]

- FSDD: 2000 recordings of one English digit (8 kHz, 4 speakers), ../shared/speech/fsdd
- a man reading three digit strings (16 kHz), ../shared/speech/en/vosk-test-10001-90210-01803.wav

Per engine and mode: `closed set` (Whisper tiny.en int8: each digit word
scored as the transcript by the decoder, when the model is installed),
`as-is` (the engine fed the resampled audio, streaming,
no front end: the baseline), `grammar` (ivr's path: ten digit words, front end)
and `free text` (no grammar; on every 10th file, the language model is slow).
RTF = processing seconds / audio seconds on one core (lower is faster);
CPU/utt = CPU seconds per utterance (the process's own time, one thread).
Per-speaker accuracy is printed for every row.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.matching import DIGIT_WORDS  # noqa: E402
from ivr.speech import load_audio  # noqa: E402
from ivr.speech.recognizer import Recognizer  # noqa: E402

SPEECH = ROOT.parent / "shared" / "speech"
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
STRINGS = ("vosk-test-10001-90210-01803.wav", "100019021001803")
_engines: dict = {}


def engine(name: str):
    if name not in _engines:
        if name == "whisper":
            from ivr.speech.whisper_engine import WhisperRecognizer
            _engines[name] = WhisperRecognizer("whisper-tiny.en", "en")
        elif name == "pocketsphinx":
            from ivr.speech.sphinx_engine import SphinxRecognizer
            _engines[name] = SphinxRecognizer()
        else:
            from ivr.speech import get_recognizer
            _engines[name] = get_recognizer("vosk", "en", {})
    return _engines[name]


def decode(engine_name: str, mode: str, audio, sequence: bool = False):
    rec = engine(engine_name)
    choices = DIGITS + (["oh"] if sequence else [])
    if mode == "as-is":
        return Recognizer.recognize(rec, audio, choices, sequence)   # streaming, no front end
    if mode in ("grammar", "closed set"):
        return rec.recognize(audio, choices, sequence)
    return rec.recognize(audio)                                      # free text


def as_digits(text: str) -> str:
    return "".join(DIGIT_WORDS.get(w, "?") for w in text.split())


def one_file(job):
    engine_name, mode, path = job
    audio = load_audio(path)
    engine(engine_name)                      # loading the model is not the utterance's cost
    cpu = time.process_time()
    result = decode(engine_name, mode, audio)
    cpu = time.process_time() - cpu
    return as_digits(result.text) == Path(path).name[0], result.seconds, len(audio) / 16000, cpu, \
        Path(path).stem.split("_")[1]


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only every Nth FSDD file (quick runs)")
    parser.add_argument("--quick", action="store_true", help="every 20th FSDD file (100 files)")
    parser.add_argument("--free-text-every", type=int, default=10,
                        help="free text decodes with the full language model (slow): every Nth file")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args()
    files = sorted(str(p) for p in (SPEECH / "fsdd").glob("*.wav"))
    if not files:
        sys.exit(f"no FSDD recordings in {SPEECH / 'fsdd'}: the shared data must sit at ../shared")
    if args.limit or args.quick:
        files = files[::args.limit or 20]
    from ivr.speech import models
    runs = [("pocketsphinx", m) for m in ("as-is", "grammar", "free text")]
    if models.installed_path("whisper-tiny.en"):
        runs.insert(0, ("whisper", "closed set"))
    vosk_ok = models.installed_path(models.model_for("en") or "") is not None
    if vosk_ok:
        runs += [("vosk", m) for m in ("as-is", "grammar", "free text")]
    rows = []
    strings_audio = load_audio(SPEECH / "en" / STRINGS[0])
    with Pool(2) as pool:
        for engine_name, mode in runs:
            started = time.perf_counter()
            subset = files[::args.free_text_every] if mode == "free text" else files
            results = pool.map(one_file, [(engine_name, mode, f) for f in subset], chunksize=10)
            correct = sum(r[0] for r in results)
            busy, audio_s = sum(r[1] for r in results), sum(r[2] for r in results)
            speakers = {}
            for r in results:
                speakers.setdefault(r[4], []).append(r[0])
            said = decode(engine_name, mode, strings_audio, sequence=True)
            got = as_digits(said.text)
            rows.append({"engine": engine_name, "mode": mode, "fsdd_files": len(subset),
                         "fsdd_accuracy": round(correct / len(subset), 4),
                         "rtf": round(busy / audio_s, 4),
                         "cpu_per_utterance_s": round(sum(r[3] for r in results) / len(results), 3),
                         "speakers": {k: round(sum(v) / len(v), 4) for k, v in sorted(speakers.items())},
                         "wall_s": round(time.perf_counter() - started, 1),
                         "strings_digit_errors": edit_distance(got, STRINGS[1]),
                         "strings_heard": got})
            print(f"  done: {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    if args.format == "json":
        print(json.dumps({"rows": rows, "vosk_english_model": vosk_ok}, indent=2))
        return
    print(f"FSDD single digits ({len(files)} files, 8 kHz) and digit strings "
          f"({STRINGS[0]}, {len(STRINGS[1])} digits)\n")
    print(f"{'engine':<13} {'mode':<11} {'files':>5} {'FSDD acc':>9} {'weakest speaker':>20} {'RTF':>6} "
          f"{'CPU/utt':>8} {'strings: digit errors / heard':>32}")
    for r in rows:
        weakest = min(r["speakers"].items(), key=lambda kv: kv[1])
        print(f"{r['engine']:<13} {r['mode']:<11} {r['fsdd_files']:>5} {r['fsdd_accuracy']:>9.1%} "
              f"{weakest[0]:>12} {weakest[1]:>6.1%} {r['rtf']:>6.3f} {r['cpu_per_utterance_s']:>7.3f}s "
              f"{r['strings_digit_errors']:>6} / {r['strings_heard']}")
    print("\nper speaker: " + "; ".join(
        f"{r['engine']} {r['mode']}: " + ", ".join(f"{k} {v:.1%}" for k, v in r["speakers"].items()) for r in rows))
    if not vosk_ok:
        print("\nvosk: no English model installed (ivr models download vosk-model-small-en-us-0.15); "
              "not measured.")


if __name__ == "__main__":
    main()
