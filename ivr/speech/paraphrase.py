"""Paraphrases on recognised speech: "I want to talk to a real person" is not
one of a node's phrases, so a recogniser constrained to them rejects it (or
should). Where the closed set finds nothing, the same audio is transcribed as
free text and, if that text asks for a person, complains, or asks to repeat or
go back (ivr.intents), it is what the caller said. Everything else stays a
no-match: free text is never matched against the node's options here, so a
rejected off-topic utterance is not turned into a guess.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..intents import classify
from .recognizer import Recognition, Recognizer, Stream


class ParaphraseRecognizer(Recognizer):
    """`inner`, with a free-text second pass where its closed set found nothing."""

    def __init__(self, inner: Recognizer, min_confidence: float = 0.5):
        self.inner, self.min_confidence = inner, min_confidence
        self.name, self.rate = inner.name, inner.rate

    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        return self.inner.stream(choices, sequence)   # partial results: the inner engine's

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        result = self.inner.recognize(samples, choices, sequence)
        if choices is None or sequence or (result.text and result.confidence >= self.min_confidence):
            return result
        free = self.inner.recognize(samples, None)
        if free.text and classify(free.text):
            # free-text posteriors are not on the closed set's scale (pocketsphinx gives a
            # correct "can i talk to somebody" 0.005): what vouches for this pass is that
            # the transcript expresses an intent, so it passes the engine's confidence gate
            free.confidence = max(free.confidence, self.min_confidence)
            free.engine = f"{free.engine} (free text: a paraphrase)"
            free.seconds = round(result.seconds + free.seconds, 4)
            return free
        return result
