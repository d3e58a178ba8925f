"""PocketSphinx: the embedded English fallback (its PyPI wheel ships an en-US
model, so it works offline with no download).

Its acoustic model is 16 kHz wideband; telephone audio (8 kHz) lacks the
energy above 4 kHz that it expects, so the whole-utterance path runs a front
end measured on real 8 kHz digits (docs/speech.md, benchmarks/asr_digits.py):
peak normalisation, 0.3 s of silence padding, faint white dither to fill the
empty upper band, cepstral mean over the whole utterance, and a few dithered
passes whose word posteriors are summed (a small ensemble).
"""
from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from typing import Optional

import numpy as np

from ..errors import IvrError
from .audio import RATE, EndOfSpeech, to_pcm16
from .recognizer import Recognition, Recognizer, Stream, unique_choices

# Telephone band loses /s/ (energy above 4 kHz): what is left of "six" sounds
# like "thik-th". Added as an alternative pronunciation, never replacing one.
BAND_LIMITED_PRONUNCIATIONS = {"six(2)": "TH IH K TH"}
FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "++NOISE++"}
PAD_S, DITHER, PEAK = 0.3, 0.003, 0.9


def _word(token: str) -> str:
    return token.split("(")[0]            # six(2) -> six


class SphinxStream(Stream):
    def __init__(self, decoder):
        self.decoder = decoder
        self.endpoint = False
        self._eos = EndOfSpeech()
        decoder.start_utt()

    def feed(self, samples: np.ndarray) -> str:
        self.decoder.process_raw(to_pcm16(samples), False, False)
        self.endpoint = self._eos.feed(samples) == "ended"
        hyp = self.decoder.hyp()
        return " ".join(_word(w) for w in hyp.hypstr.split()) if hyp else ""

    def finish(self) -> Recognition:
        self.decoder.end_utt()
        return _result(self.decoder)


def _result(decoder) -> Recognition:
    hyp = decoder.hyp()
    if hyp is None:
        return Recognition(text="", confidence=0.0, engine="pocketsphinx")
    words = [{"word": _word(s.word), "conf": round(float(min(s.prob, 1.0)), 3),
              "start": s.start_frame / 100, "end": s.end_frame / 100}
             for s in decoder.seg() if s.word not in FILLERS and not s.word.startswith("+")]
    text = " ".join(w["word"] for w in words)
    conf = min((w["conf"] for w in words), default=0.0) if text else 0.0
    return Recognition(text=text, confidence=conf, engine="pocketsphinx", words=words)


class SphinxRecognizer(Recognizer):
    name = "pocketsphinx"

    def __init__(self, passes: int = 3):
        from pocketsphinx import Decoder
        self.passes = passes
        try:
            self.decoder = Decoder(samprate=RATE, loglevel="FATAL", bestpath=True)
        except (RuntimeError, ValueError) as err:
            raise IvrError(f"pocketsphinx could not start ({err})",
                           "reinstall it: .venv/bin/pip install --force-reinstall pocketsphinx") from None
        for word, phones in BAND_LIMITED_PRONUNCIATIONS.items():
            self.decoder.add_word(word, phones, True)
        self._searches: dict[tuple, str] = {}

    def _activate(self, choices: Optional[list[str]], sequence: bool = False) -> None:
        if choices is None:
            self.decoder.activate_search("_default")   # the wheel's en-US language model
            return
        key = (tuple(choices), sequence)
        if key not in self._searches:
            known = [c for c in choices
                     if all(self.decoder.lookup_word(w) for w in c.split())]
            if not known:
                raise IvrError(f"none of the phrases {choices} is in the English dictionary",
                               "use English words for pocketsphinx, or install a vosk model "
                               "(ivr models list)")
            name = "g" + hashlib.sha1(repr(key).encode()).hexdigest()[:12]
            rule = f"({' | '.join(known)})" + ("+" if sequence else "")
            self.decoder.add_jsgf_string(
                name, f"#JSGF V1.0;\ngrammar menu;\npublic <choice> = {rule};\n")
            self._searches[key] = name
        self.decoder.activate_search(self._searches[key])

    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        self._activate(unique_choices(choices), sequence)
        return SphinxStream(self.decoder)

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        start = time.perf_counter()
        choices = unique_choices(choices)
        self._activate(choices, sequence)
        peak = float(np.abs(samples).max()) if len(samples) else 0.0
        audio = samples / peak * PEAK if peak > 0 else samples
        pad = np.zeros(int(PAD_S * RATE), dtype=np.float32)
        audio = np.concatenate([pad, audio, pad])
        votes: dict[str, float] = defaultdict(float)
        results: dict[str, Recognition] = {}
        # the dithered ensemble pays off in grammar mode; free text gets one pass
        for seed in range(self.passes if choices else 1):
            noisy = audio + np.random.default_rng(seed).normal(0, DITHER, len(audio))
            self.decoder.start_utt()
            self.decoder.process_raw(to_pcm16(noisy), False, True)  # full_utt: batch CMN
            self.decoder.end_utt()
            result = _result(self.decoder)
            votes[result.text] += result.confidence if result.text else 0.0
            results.setdefault(result.text, result)
        best = max(votes, key=votes.get) if votes else ""
        result = results.get(best, Recognition("", 0.0, self.name))
        result.confidence = round(votes[best] / (self.passes if choices else 1), 3) if best else 0.0
        result.seconds = round(time.perf_counter() - start, 4)
        result.audio_seconds = round(len(samples) / self.rate, 3)
        return result
