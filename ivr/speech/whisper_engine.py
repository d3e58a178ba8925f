"""Whisper (faster-whisper / CTranslate2) recognition, two modes.

Closed set (a menu node): the audio is encoded once; one decoder step gives
the probability of every phrase's first token, and the `TOP` best phrases are
then forced through the decoder token by token (`align` returns each forced
token's probability). The best phrase wins; its confidence is its share among
the candidates times how close it comes to what the model would have written
freely (the greedy transcript of the same pass): an off-topic sentence has a
far likelier free transcript than any phrase, so it comes back as no match.
No free text is matched against strings here.

Free text (knowledge-base questions, the crawler's prompts, `ivr recognize`
without --choices): faster-whisper's own transcription.

Chinese output is normalised to simplified characters (OpenCC); Chinese
phrases are also scored in traditional characters, which the multilingual
model often writes.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Optional

import numpy as np

from ..errors import IvrError
from ..matching import DIGIT_WORDS
from .audio import RATE
from .recognizer import Recognition, Recognizer, Stream, normalise, unique_choices

TOP = 3                     # phrases forced through the decoder after the first step
WINDOW = 3000               # mel frames the encoder sees (Whisper's fixed 30 s)
PUNCT = re.compile(r"[\s.,!?;:。，！？、…\"'“”]+")


def is_chinese(language: str) -> bool:
    return language.lower().startswith("zh")


@lru_cache(maxsize=1)
def _opencc(config: str):
    from opencc import OpenCC  # opencc-python-reimplemented (or OpenCC, same API)
    return OpenCC(config)


def to_simplified(text: str) -> str:
    return _opencc("t2s").convert(text)


def to_traditional(text: str) -> str:
    return _opencc("s2t").convert(text)


@lru_cache(maxsize=4)
def load_model(name: str, compute_type: str = "int8", threads: int = 1):
    """A faster-whisper model by manifest name or folder, files checked
    against the manifest's SHA-256 first (once per process)."""
    from faster_whisper import WhisperModel
    from . import models
    path, files = models.whisper_files(name)
    try:
        return WhisperModel(path, device="cpu", compute_type=compute_type, cpu_threads=threads,
                            files=files, local_files_only=True)
    except (RuntimeError, ValueError, OSError) as err:
        raise IvrError(f"faster-whisper could not load the model {name} ({err})",
                       f"run `ivr models verify {name}` or install it again",
                       code="model-corrupt") from None


class WhisperStream(Stream):
    """Whisper decodes whole utterances: the stream collects the audio and
    reports no partial text; `finish` recognises everything fed."""

    def __init__(self, recognizer: "WhisperRecognizer", choices, sequence: bool):
        self.recognizer, self.choices, self.sequence = recognizer, choices, sequence
        self.chunks: list[np.ndarray] = []
        self.endpoint = False

    def feed(self, samples: np.ndarray) -> str:
        self.chunks.append(np.asarray(samples, dtype=np.float32))
        return ""

    def finish(self) -> Recognition:
        audio = np.concatenate(self.chunks) if self.chunks else np.zeros(RATE // 10, np.float32)
        return self.recognizer.recognize(audio, self.choices, self.sequence)


class WhisperRecognizer(Recognizer):
    name = "whisper"

    def __init__(self, model: str, language: str = "en", compute_type: str = "int8", threads: int = 1):
        from faster_whisper.tokenizer import Tokenizer
        self.model_name, self.language = model, language
        self.whisper = load_model(model, compute_type, threads)
        code = "zh" if is_chinese(language) else language.split("-")[0].lower()
        multilingual = self.whisper.model.is_multilingual
        if not multilingual and code != "en":
            raise IvrError(f"the Whisper model {model} is English-only; it cannot recognise {language}",
                           "use a multilingual model, e.g. speech.whisper_models: {zh-CN: whisper-base}",
                           code="model-missing")
        self.tokenizer = Tokenizer(self.whisper.hf_tokenizer, multilingual, task="transcribe",
                                   language=code if multilingual else None)
        self.code = code
        self.prompt = list(self.tokenizer.sot_sequence) + [self.tokenizer.no_timestamps]
        self._forms: dict[str, list[list[int]]] = {}

    # -- the two modes ------------------------------------------------------
    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        return WhisperStream(self, choices, sequence)

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        start = time.perf_counter()
        samples = np.asarray(samples, dtype=np.float32)
        if choices is None:
            result = self.transcribe(samples)
        elif sequence:
            result = self.sequence_of(samples, unique_choices(choices))
        else:
            result = self.closed_set(samples, unique_choices(choices))
        result.seconds = round(time.perf_counter() - start, 4)
        result.audio_seconds = round(len(samples) / RATE, 3)
        return result

    def transcribe(self, samples: np.ndarray) -> Recognition:
        """Free text: faster-whisper's transcription, greedy, no timestamps."""
        segments, _ = self.whisper.transcribe(samples, language=self.code, beam_size=1,
                                              condition_on_previous_text=False,
                                              without_timestamps=True, vad_filter=False)
        segments = list(segments)
        text = "".join(s.text for s in segments).strip()
        if is_chinese(self.language):
            text = to_simplified(text)
        conf = float(np.exp(np.mean([s.avg_logprob for s in segments]))) if segments else 0.0
        return Recognition(text=text, confidence=round(conf, 3) if text else 0.0, engine=self.name)

    def closed_set(self, samples: np.ndarray, choices: list[str]) -> Recognition:
        """The likeliest phrase as the transcript, or "" (none fits)."""
        encoded, frames = self._encode(samples)
        first, free = self._first_step(encoded, max(len(f) for c in choices for f in self.forms(c)) + 3)
        candidates = sorted(choices, key=lambda c: -max(first[f[0]] for f in self.forms(c)))[:TOP]
        pairs = [(c, f) for c in candidates for f in self.forms(c)]
        scores = self._forced(encoded, frames, [f for _, f in pairs])
        best: dict[str, float] = {}
        for (choice, _), score in zip(pairs, scores):
            best[choice] = max(best.get(choice, -1e9), score)
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        text, score = ranked[0]
        share = 1.0 / sum(np.exp(s - score) for _, s in ranked)
        # per token, how much less likely the phrase is than the free transcript
        tokens = min(len(f) for f in self.forms(text))
        gap = min(0.0, score / tokens - free)
        conf = float(share * np.exp(GAP_WEIGHT * gap))
        return Recognition(text=text, confidence=round(conf, 3), engine=self.name,
                           words=[{"word": text, "conf": round(conf, 3), "start": 0.0,
                                   "end": round(len(samples) / RATE, 2)}])

    def sequence_of(self, samples: np.ndarray, choices: list[str]) -> Recognition:
        """A string of choices (digits of an order number): the free
        transcript read as choices; anything else in it is no match."""
        free = self.transcribe(samples)
        spoken = {v: k for k, v in DIGIT_WORDS.items() if v.isdigit() and k.isascii() != is_chinese(self.language)}
        words = []
        for token in normalise(free.text.replace("-", " ")).split():
            if token.isdigit():
                words += [spoken.get(d, d) for d in token]
            else:
                words.append(token)
        if not words or any(w not in choices for w in words):
            return Recognition(text="", confidence=0.0, engine=self.name)
        return Recognition(text=" ".join(words), confidence=free.confidence, engine=self.name)

    # -- the pieces -----------------------------------------------------------
    def forms(self, phrase: str) -> list[list[int]]:
        """Token sequences of how Whisper writes `phrase` as a whole
        transcript: " Agent." in English; 转人工 and 轉人工 in Chinese."""
        if phrase not in self._forms:
            if is_chinese(self.language):
                texts = list(dict.fromkeys([phrase, to_traditional(phrase)]))
            else:
                texts = [" " + phrase[:1].upper() + phrase[1:] + "."]
            self._forms[phrase] = [self.tokenizer.encode(t) for t in texts]
        return self._forms[phrase]

    def _encode(self, samples: np.ndarray):
        import ctranslate2
        # pad the audio (not the features) with silence, as Whisper was trained
        feats = self.whisper.feature_extractor(samples[: RATE * 30], padding=RATE * 30)[:, :WINDOW]
        frames = min(WINDOW, len(samples) // 160) // 2 or 1
        encoded = self.whisper.model.encode(ctranslate2.StorageView.from_array(
            np.ascontiguousarray(feats[None], dtype=np.float32)))
        return encoded, frames

    def _first_step(self, encoded, length: int):
        """Log-probabilities of the first token, and the mean per-token
        log-probability of the greedy (free) transcript, from one pass."""
        result = self.whisper.model.generate(
            encoded, [self.prompt], beam_size=1, max_length=len(self.prompt) + length,
            return_logits_vocab=True, suppress_blank=False)[0]
        steps = [np.asarray(step, dtype=np.float64).reshape(-1) for step in result.logits[0]]
        steps = [s - np.logaddexp.reduce(s[np.isfinite(s)]) for s in steps]
        tokens = list(result.sequences_ids[0])
        chosen = [float(steps[i][t]) for i, t in enumerate(tokens[: len(steps)])]
        free = float(np.mean(chosen)) if chosen else 0.0
        return steps[0], free

    def _forced(self, encoded, frames: int, sequences: list[list[int]]) -> list[float]:
        """Sum of log-probabilities of each token sequence forced as the transcript."""
        import ctranslate2
        batch = ctranslate2.StorageView.from_array(np.repeat(np.asarray(encoded), len(sequences), axis=0))
        results = self.whisper.model.align(batch, self.prompt, sequences, frames)
        return [float(np.sum(np.log(np.maximum(r.text_token_probs, 1e-12)))) for r in results]


GAP_WEIGHT = 1.0   # how fast confidence falls as the free transcript outscores the phrase
