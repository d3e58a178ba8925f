"""Paraphrases on recognised speech: "I want to talk to a real person" is not
one of a node's phrases, so a recogniser constrained to them rejects it, or
worse, takes it for the nearest listed phrase ("oh", "go back"). The same
audio is therefore also transcribed as free text, and routed in the order
typed text is (ivr.matching / docs/speech.md):
1. a free transcript asking for a person wins over whatever the closed set
   heard (a request for a person comes before the node's options);
2. else the closed set's phrase, if it is confident;
3. else a free transcript that complains, or asks to repeat or go back.
Everything else stays a no-match: free text is never matched against the
node's options here, so a rejected off-topic utterance is not turned into a
guess. Where the closed set already heard a request for a person, the free
pass is skipped. The free pass is given the node's phrases as context (the
Whisper engine's prompt), so a paraphrase comes out in the words the menu
and the intent lexicon use.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..intents import classify
from .recognizer import Recognition, Recognizer, Stream


def _asks_for_person(text: str) -> bool:
    found = classify(text) if text else None
    return bool(found and found.name == "human")


class ParaphraseRecognizer(Recognizer):
    """`inner`, with a free-text pass for paraphrases next to its closed set."""

    def __init__(self, inner: Recognizer, min_confidence: float = 0.5):
        self.inner, self.min_confidence = inner, min_confidence
        self.name, self.rate = inner.name, inner.rate

    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        return self.inner.stream(choices, sequence)   # partial results: the inner engine's

    def recognize(self, samples: np.ndarray, choices: Optional[list[str]] = None,
                  sequence: bool = False) -> Recognition:
        result = self.inner.recognize(samples, choices, sequence)
        confident = bool(result.text) and result.confidence >= self.min_confidence
        if choices is None or sequence or (confident and _asks_for_person(result.text)):
            return result
        free = self.inner.free_text(samples, list(choices))
        if free.text and (_asks_for_person(free.text) or (not confident and classify(free.text))):
            # free-text posteriors are not on the closed set's scale (pocketsphinx gives a
            # correct "can i talk to somebody" 0.005): what vouches for this pass is that
            # the transcript expresses an intent, so it passes the engine's confidence gate
            free.confidence = max(free.confidence, self.min_confidence)
            free.engine = f"{free.engine} (free text: a paraphrase)"
            free.seconds = round(result.seconds + free.seconds, 4)
            return free
        return result
