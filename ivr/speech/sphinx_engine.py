"""PocketSphinx: the embedded English fallback (its PyPI wheel ships an en-US
model, so it works offline with no download).

Its acoustic model is 16 kHz wideband; telephone audio (8 kHz) lacks the
energy above 4 kHz that it expects, so the whole-utterance path runs a front
end measured on real 8 kHz digits (docs/speech.md, benchmarks/asr_digits.py):
peak normalisation, 0.3 s of silence padding, faint white dither to fill the
empty upper band, cepstral mean over the whole utterance, and a few dithered
passes whose word posteriors are summed (a small ensemble).

Out-of-vocabulary rejection: a grammar of only the node's phrases explains
any speech with one of them (a LibriSpeech sentence came back as "a person",
confidence 1.00). Menu grammars therefore get a competing garbage branch, a
loop over 14 broad phones with a fixed entry cost and a cost per phone; an
utterance the loop explains better than any phrase comes back as nothing
(text "", confidence 0: a no-match), and a phrase that barely beats it gets
a low posterior. Grammars of digit words only (a digit, a digit string) keep the
plain grammar: the loop cost 10 points of 8 kHz digit accuracy there.
Measured in docs/speech.md ("Out-of-vocabulary rejection").
"""
from __future__ import annotations

import hashlib
import time
from typing import Optional

import numpy as np

from ..errors import IvrError
from .audio import RATE, EndOfSpeech, to_pcm16, voiced_seconds
from .recognizer import Recognition, Recognizer, Stream, unique_choices

# Telephone band loses /s/ (energy above 4 kHz): what is left of "six" sounds
# like "thik-th". Added as an alternative pronunciation, never replacing one.
BAND_LIMITED_PRONUNCIATIONS = {"six(2)": "TH IH K TH"}
FILLERS = {"<s>", "</s>", "<sil>", "[NOISE]", "++NOISE++"}
PAD_S, DITHER, PEAK = 0.3, 0.003, 0.9

# The garbage loop: broad coverage of English (and other) speech with few
# phones (39 phones made decoding 10x slower for the same rejection).
GARBAGE = "_garbage_"
GARBAGE_PHONES = "AA IY UW EH ER N M S F T K L R W".split()
# Probabilities before pocketsphinx's language weight. 1e-6 entry rejected a
# little more off-topic speech but also a third of real callers' in-vocabulary
# words (FSDD "zero".."four" at consumer-service `main`: 39/100 accepted vs 63
# with no loop); 1e-12 keeps 54/100 and still rejects 28/42 off-topic clips
# (vs 31/42 and, with no loop, 3/42). Measured in one run; docs/speech.md.
GARBAGE_ENTRY, GARBAGE_PER_PHONE = 1e-12, 1e-6
# A menu phrase that explains under 40 % of the voiced audio is no match: the
# caller said a sentence and the phrase was found in a corner of it (a whole
# LibriSpeech sentence came out as "a person", confidence 1.00). Real callers'
# in-vocabulary words are unaffected (FSDD digits at `main`: 54/100 either way).
MIN_COVERAGE = 0.4
# The streaming decoder's cepstral mean starts here, not at pocketsphinx's
# 40,3,-1,0,...: the mean of the batch means of real speech (3 ../shared/speech/en
# recordings, every 20th FSDD file, 4 speakers). From the default, partials of
# espeak's "agent" were "two" until the word was over, and on a loaded machine
# none at all (a CI failure); from here "agent" shows while it is said.
LIVE_CMN_START = "54.35,-2.49,-6.00,5.39,-6.59,-5.02,-3.95,-6.56,0.54,-3.62,-4.96,-1.71,-1.38"
DIGIT_WORDS = {"zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}


def _words(hypstr: str) -> list[str]:
    return [_word(w) for w in hypstr.split() if not w.startswith(GARBAGE)]


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
        return " ".join(_words(hyp.hypstr)) if hyp else ""

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
    if any(w["word"].startswith(GARBAGE) for w in words):   # best explained as out of vocabulary
        return Recognition(text="", confidence=0.0, engine="pocketsphinx")
    text = " ".join(w["word"] for w in words)
    conf = min((w["conf"] for w in words), default=0.0) if text else 0.0
    return Recognition(text=text, confidence=conf, engine="pocketsphinx", words=words)


def _covered(result: Recognition) -> float:
    return sum(w["end"] - w["start"] for w in result.words)


def _with_garbage(phrases: list[str], sequence: bool) -> list[tuple]:
    """FSG transitions (from, to, probability[, word]): state 0 is the start,
    1 the end, 2 the end of a phrase (back to 0 for a sequence); or, from 0,
    a loop of garbage phones."""
    trans, free = [], 3
    for phrase in phrases:
        state, words = 0, phrase.split()
        for i, word in enumerate(words):
            to = 2 if i == len(words) - 1 else free
            free += to == free
            trans.append((state, to, 1.0 / len(phrases) if i == 0 else 1.0, word))
            state = to
    trans.append((2, 1, 1.0))
    if sequence:
        trans.append((2, 0, 1.0))
    loop, after = free, free + 1
    trans.append((0, loop, GARBAGE_ENTRY))
    trans += [(loop, after, GARBAGE_PER_PHONE / len(GARBAGE_PHONES), GARBAGE + p.lower())
              for p in GARBAGE_PHONES]
    trans += [(after, loop, 1.0), (after, 1, 1.0)]
    return trans


class _Decoder:
    """A pocketsphinx decoder with the extra pronunciations and a cache of
    the grammars it has compiled."""

    def __init__(self):
        from pocketsphinx import Decoder
        try:
            self.ps = Decoder(samprate=RATE, loglevel="FATAL", bestpath=True)
        except (RuntimeError, ValueError) as err:
            raise IvrError(f"pocketsphinx could not start ({err})",
                           "reinstall it: .venv/bin/pip install --force-reinstall pocketsphinx") from None
        for word, phones in BAND_LIMITED_PRONUNCIATIONS.items():
            self.ps.add_word(word, phones, True)
        for phone in GARBAGE_PHONES:
            self.ps.add_word(GARBAGE + phone.lower(), phone, True)
        self.searches: dict[tuple, tuple[str, bool]] = {}   # -> (search name, open set?)
        self.open_set = False   # the active grammar has the garbage loop (a menu's phrases)

    def activate(self, choices: Optional[list[str]], sequence: bool = False, reject_unknown: bool = True) -> None:
        """Search for `choices`; with `reject_unknown` (and not only digit words)
        the garbage loop competes, else the plain grammar of the phrases."""
        self.open_set = False
        if choices is None:
            self.ps.activate_search("_default")   # the wheel's en-US language model
            return
        key = (tuple(choices), sequence, reject_unknown)
        if key not in self.searches:
            known = [c for c in choices if all(self.ps.lookup_word(w) for w in c.split())]
            if not known:
                raise IvrError(f"none of the phrases {choices} is in the English dictionary",
                               "use English words for pocketsphinx, or install a vosk model "
                               "(ivr models list)")
            name = "g" + hashlib.sha1(repr(key).encode()).hexdigest()[:12]
            plain = set(known) <= DIGIT_WORDS or not reject_unknown
            if plain:
                rule = f"({' | '.join(known)})" + ("+" if sequence else "")
                self.ps.add_jsgf_string(name, f"#JSGF V1.0;\ngrammar menu;\npublic <choice> = {rule};\n")
            else:
                self.ps.add_fsg(name, self.ps.create_fsg(name, 0, 1, _with_garbage(known, sequence)))
            self.searches[key] = (name, not plain)
        name, self.open_set = self.searches[key]
        self.ps.activate_search(name)


class SphinxRecognizer(Recognizer):
    name = "pocketsphinx"

    def __init__(self):
        self.batch = _Decoder()
        self._live: Optional[_Decoder] = None

    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        # Streaming adapts a running cepstral mean that carries over between
        # utterances; measured, sharing it with the batch decoder cost 3 points
        # of digit accuracy, so streams get their own decoder.
        if self._live is None:
            self._live = _Decoder()
            self._live.ps.set_cmn(LIVE_CMN_START)
        # partial results only say "the caller is talking" (barge-in); the
        # decision is the batch pass, which rejects unknown speech. Under the
        # garbage loop partials were often empty on a loaded CI machine.
        self._live.activate(unique_choices(choices), sequence, reject_unknown=False)
        return SphinxStream(self._live.ps)

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        start = time.perf_counter()
        self.batch.activate(unique_choices(choices), sequence)
        peak = float(np.abs(samples).max()) if len(samples) else 0.0
        audio = samples / peak * PEAK if peak > 0 else samples
        pad = np.zeros(int(PAD_S * RATE), dtype=np.float32)
        audio = np.concatenate([pad, audio, pad])
        audio = audio + np.random.default_rng(0).normal(0, DITHER, len(audio))  # fixed seed: repeatable
        decoder = self.batch.ps
        decoder.start_utt()
        decoder.process_raw(to_pcm16(audio), False, True)  # full_utt: CMN over the whole utterance
        decoder.end_utt()
        result = _result(decoder)
        if self.batch.open_set and result.text and _covered(result) < MIN_COVERAGE * voiced_seconds(samples):
            result = Recognition(text="", confidence=0.0, engine="pocketsphinx")  # said much more than a phrase
        result.seconds = round(time.perf_counter() - start, 4)
        result.audio_seconds = round(len(samples) / self.rate, 3)
        return result
