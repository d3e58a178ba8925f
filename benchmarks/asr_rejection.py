"""Out-of-vocabulary rejection of the embedded engine at menu nodes, against
what it costs real callers' in-vocabulary words, per setting, in one run.

    .venv/bin/python benchmarks/asr_rejection.py [--quick]

- in-vocabulary: real FSDD recordings of "zero".."four" (every other file)
  at consumer-service `main`, counted when heard right with confidence >= 0.5;
- off-topic: LibriSpeech and Mandarin files of ../shared/speech, whole and in
  2 s pieces, and five off-topic TTS sentences, at `main`, `billing` and
  `language`, counted when no match (text "" or confidence < 0.5);
- TTS menu words at `main`.
Rows: pocketsphinx with the loop made negligible (entry 1e-30: about the
plain grammar, the baseline), the first loop setting, and the shipped one
(entry 1e-12 plus the 40 % coverage rule); then Whisper tiny.en closed set
(its "none" outcome: confidence from how far the free transcript outscores
the best phrase) when the model is installed, and the same engine as a live
call routes speech (ivr.speech.paraphrase), before and with spoken person
paraphrases (their free-text pass without and with the node's phrases as
its prompt); there the two TTS sentences that ask for a person ("hello is
anybody there") count when they reach a person, the rest when nothing is taken.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import ivr.speech.sphinx_engine as sphinx  # noqa: E402
from ivr.loader import load_menu  # noqa: E402
from ivr.speech import load_audio, tts  # noqa: E402
from ivr.speech.vocabulary import vocabulary  # noqa: E402

SPEECH = ROOT.parent / "shared" / "speech"
DIGITS = ["zero", "one", "two", "three", "four"]
OFF_TOPIC = ["what is the weather like tomorrow", "I would like to cancel my subscription",
             "can you help me with my internet", "hello is anybody there",
             "I want to speak to a representative please"]
MENU_WORDS = ["agent", "billing", "representative", "one", "outage", "hours"]
SETTINGS = [("loop made negligible (entry 1e-30)", 1e-30, 0.0), ("entry 1e-6", 1e-6, 0.0),
            ("entry 1e-12", 1e-12, 0.0), ("entry 1e-12 + 40 % coverage (shipped)", 1e-12, 0.4)]


def clips(step: int):
    real = sorted(SPEECH.glob("fsdd/[0-4]_*_[0-9].wav"))[::step]
    in_vocab = [(load_audio(f), DIGITS[int(f.name[0])]) for f in real]
    off = []
    for f in sorted(SPEECH.glob("en/librispeech*.wav")) + sorted(SPEECH.glob("zh/*.wav")):
        audio = load_audio(f)
        off.append(audio)
        off += [audio[i:i + 32000] for i in range(0, len(audio) - 32000, 32000)]
    off += [tts.synthesize(s, "en") for s in OFF_TOPIC]
    words = [(tts.synthesize(w, "en"), w) for w in MENU_WORDS]
    return in_vocab, off, words


def setting(entry: float, coverage: float):
    sphinx.GARBAGE_ENTRY, sphinx.MIN_COVERAGE = entry, coverage
    return sphinx.SphinxRecognizer()          # grammars are built with the setting


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 8th real file instead of every 2nd")
    args = parser.parse_args()
    menu = load_menu(ROOT / "menus" / "consumer-service.yaml")
    in_vocab, off, words = clips(8 if args.quick else 2)
    nodes = ["main", "billing", "language"]
    print(f"{'setting':<40} {'real words heard':>17} {'off-topic rejected':>19} {'TTS words':>10}")
    engines = []
    for label, entry, coverage in SETTINGS:
        engines.append((label, lambda entry=entry, coverage=coverage: setting(entry, coverage)))
    from ivr.speech import models
    if models.installed_path("whisper-tiny.en"):
        from ivr.speech.whisper_engine import WhisperRecognizer
        engines.append(("whisper 30 s, raw, top 5 (before)",
                        lambda: WhisperRecognizer("whisper-tiny.en", "en", window_s=30, prior_weight=0.0, top=5)))
        engines.append(("whisper 30 s, prior 0.2 (before)",
                        lambda: WhisperRecognizer("whisper-tiny.en", "en", window_s=30, prior_weight=0.2)))
        engines.append(("whisper 10 s, prior 0.5 (now)", lambda: WhisperRecognizer("whisper-tiny.en", "en")))
    for label, make in engines:
        rec = make()
        main_vocab = vocabulary(menu, "main")
        heard = sum(1 for audio, truth in in_vocab
                    if (r := rec.recognize(audio, main_vocab)).text == truth and r.confidence >= 0.5)
        rejected = sum(1 for node in nodes for audio in off
                       if (r := rec.recognize(audio, vocabulary(menu, node))).text == "" or r.confidence < 0.5)
        said = sum(1 for audio, w in words
                   if (r := rec.recognize(audio, main_vocab)).text == w and r.confidence >= 0.5)
        print(f"{label:<40} {heard:>8} / {len(in_vocab):<6} {rejected:>9} / {len(off) * len(nodes):<7} "
              f"{said:>4} / {len(words)}", flush=True)
    if models.installed_path("whisper-tiny.en"):
        live_rows(menu, nodes, in_vocab, off, words, WhisperRecognizer("whisper-tiny.en", "en"))
    return 0


def live_rows(menu, nodes, in_vocab, off, words, inner) -> None:
    """The same clips through the live call's recogniser, before and with
    spoken person paraphrases (benchmarks/intent_eval.py): off-topic counts
    as rejected when nothing is taken, except the TTS sentences that ask for
    a person ("hello is anybody there"), which count when they ask for one."""
    from intent_eval import BeforeParaphrases, WithoutContext
    from ivr.intents import classify
    from ivr.speech.paraphrase import ParaphraseRecognizer
    person = [None] * (len(off) - len(OFF_TOPIC)) + [
        bool((c := classify(s)) and c.name == "human") for s in OFF_TOPIC]
    for label, rec, paraphrases in (("whisper live call before", BeforeParaphrases(inner, 0.5), False),
                                    ("whisper live + paraphrases, unprompted", ParaphraseRecognizer(
                                        WithoutContext(inner), 0.5), True),
                                    ("whisper live + paraphrases, prompted", ParaphraseRecognizer(inner, 0.5),
                                     True)):
        main_vocab = vocabulary(menu, "main", paraphrases=paraphrases)
        heard = sum(1 for audio, truth in in_vocab
                    if (r := rec.recognize(audio, main_vocab)).text == truth and r.confidence >= 0.5)
        rejected = 0
        for node in nodes:
            for audio, asks in zip(off, person):
                r = rec.recognize(audio, vocabulary(menu, node, paraphrases=paraphrases))
                took = bool(r.text) and r.confidence >= 0.5
                rejected += (not took) if not asks else bool(took and (c := classify(r.text)) and c.name == "human")
        said = sum(1 for audio, w in words
                   if (r := rec.recognize(audio, main_vocab)).text == w and r.confidence >= 0.5)
        print(f"{label:<40} {heard:>8} / {len(in_vocab):<6} {rejected:>9} / {len(off) * len(nodes):<7} "
              f"{said:>4} / {len(words)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
