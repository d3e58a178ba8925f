"""The engine-neutral recognition interface, its result type, and the factory
that picks an engine from flags and config.yaml.

Every engine takes float32 mono audio at `RATE` and optional `choices` (the
phrases the current menu node understands). With choices it decodes against a
grammar of just those phrases; without, it transcribes free text.
"""
from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from ..errors import IvrError
from .audio import RATE

ENGINES = ("whisper", "vosk", "pocketsphinx")
CHUNK = RATE // 5  # 200 ms: the streaming granularity, also used for barge-in


@dataclass
class Recognition:
    text: str                 # "" when nothing was recognised
    confidence: float         # 0..1: how sure the engine is of `text`
    engine: str
    seconds: float = 0.0      # wall-clock time spent recognising
    audio_seconds: float = 0.0
    words: list[dict] = field(default_factory=list)  # [{word, conf, start, end}]

    def to_dict(self) -> dict:
        return asdict(self)


def normalise(phrase: str) -> str:
    """Lower case, single spaces, no punctuation: the form grammars use.
    CJK text keeps its characters (vosk's Chinese words are characters)."""
    phrase = re.sub(r"[^\w\s'\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", " ", phrase.lower())
    return " ".join(phrase.split())


def unique_choices(choices: Optional[list[str]]) -> Optional[list[str]]:
    if choices is None:
        return None
    out = list(dict.fromkeys(c for c in (normalise(c) for c in choices) if c))
    if not out:
        raise IvrError("no recognisable phrases in the choices", "give at least one word, e.g. --choices yes,no")
    return out


class Stream(ABC):
    """One utterance fed in chunks: partial results while the caller talks,
    `endpoint` once the engine hears the end of speech, then `finish()`."""

    endpoint: bool = False

    @abstractmethod
    def feed(self, samples: np.ndarray) -> str:
        """Add audio; returns the partial text so far."""

    @abstractmethod
    def finish(self) -> Recognition:
        """The final result of everything fed."""

    def close(self) -> None:
        """End the utterance when its audio is recognised whole instead
        (ivr.speech.live): engines whose `finish` decodes again skip that."""
        self.finish()


class Recognizer(ABC):
    name = "engine"
    rate = RATE

    @abstractmethod
    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        """A new utterance, constrained to `choices` when given (one of them,
        or with `sequence` a string of them, e.g. digits of an order number)."""

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        """Whole-utterance recognition (engines may do better than streaming here)."""
        start = time.perf_counter()
        stream = self.stream(choices, sequence)
        for i in range(0, len(samples), CHUNK):
            stream.feed(samples[i:i + CHUNK])
        result = stream.finish()
        result.seconds = round(time.perf_counter() - start, 4)
        result.audio_seconds = round(len(samples) / self.rate, 3)
        return result

    def free_text(self, samples: np.ndarray, context: Optional[list[str]] = None) -> Recognition:
        """Free text as a second opinion on a turn the closed set heard
        (ivr.speech.paraphrase); engines may decode harder here than
        `recognize(samples)`, which the crawler and `ivr recognize` use, and
        may use `context` (the node's phrases) as a hint of what is said."""
        return self.recognize(samples, None)


def get_recognizer(engine: str = "auto", language: str = "en", config: Optional[dict] = None,
                   model: Optional[str] = None) -> Recognizer:
    """The recogniser for `language`.

    auto: the best engine installed for the language: Whisper when its model
    for the language (speech.whisper_models) is installed, else vosk when its
    model is, else the embedded pocketsphinx for English, else an error naming
    the download command. `model` (a name from the manifest or a directory)
    overrides config.yaml."""
    from . import models

    config = config or {}
    speech = config.get("speech", {})
    engine = engine or speech.get("engine", "auto")
    if engine not in ("auto",) + ENGINES:
        raise IvrError(f"unknown speech engine {engine!r}", f"use one of: auto, {', '.join(ENGINES)}")
    whisper = model if engine == "whisper" and model else whisper_model_for(language, config)
    if engine == "whisper" or (engine == "auto" and not model and whisper
                               and models.installed_path(whisper, config)):
        if not whisper:
            raise IvrError(f"no Whisper model configured for language {language}",
                           "set speech.whisper_models in config.yaml or give --model", code="model-missing")
        from .whisper_engine import WINDOW_S, WhisperRecognizer
        settings = speech.get("whisper", {})
        return WhisperRecognizer(whisper, language, settings.get("compute_type", "int8"),
                                 int(settings.get("threads", 1)),
                                 float(for_language(language, settings.get("window_s", WINDOW_S), WINDOW_S)),
                                 int(for_language(language, settings.get("beam_size", 1), 1)))
    name = model or models.model_for(language, config)
    path = models.installed_path(name, config) if name else None
    if engine == "vosk" or (engine == "auto" and (path or model)):  # a model the user named must be used
        if not path:
            fix = (f"run: ivr models download {name}" if name and models.in_manifest(name)
                   else "run `ivr models list` and download a model for this language, "
                        "or set speech.models in config.yaml")
            raise IvrError(f"no vosk model installed for language {language}"
                           + (f" ({name})" if name else ""), fix, code="model-missing")
        from .vosk_engine import VoskRecognizer
        return VoskRecognizer(path)
    if language.lower().startswith("en"):
        from .sphinx_engine import SphinxRecognizer
        return SphinxRecognizer()
    raise IvrError(f"pocketsphinx only recognises English; no vosk model installed for {language}",
                   f"run: ivr models download {name}" if name else "run `ivr models list`",
                   code="model-missing")


def for_language(language: str, setting, default):
    """A setting given for every language (30) or per language ({zh-CN: 10, "*": 30})."""
    if isinstance(setting, dict):
        return setting.get(language, setting.get(language.split("-")[0], setting.get("*", default)))
    return setting


def whisper_model_for(language: str, config: Optional[dict] = None) -> Optional[str]:
    """speech.whisper_models[language], else its `*` entry (a multilingual model)."""
    configured = (config or {}).get("speech", {}).get("whisper_models", {})
    return configured.get(language) or configured.get(language.split("-")[0]) or configured.get("*")
