"""Matching a caller's question to knowledge-base entries (Chinese and English).

TF-IDF over character bigrams of the normalised text, after dropping Chinese
function characters (我, 的, 了, 吗, 怎么 …): a Chinese bigram is roughly a
word, so no segmenter is needed, and English words share bigrams across
inflections. Each entry is indexed twice: as separate short documents (its
question and each synonym; the best one counts) and as one document of
question, synonyms and answer (wider vocabulary). The score is the mean of
the two cosines. Below the threshold the caller goes to a person: an unsure
answer is never read out. Asking for a person always wins.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from ..matching import contains_phrase, normalise
from .base import Entry, KnowledgeFile

DEFAULT_MIN_CONFIDENCE = 0.25
# Chinese characters that carry grammar, not topic; dropped before indexing
FUNCTION_CHARS = frozenset("我你他她它们的了吗呢吧啊呀嘛是在有和就都也还要能会可以怎么什么该谁这那个一")
# asking for a person, in the languages of the bundled menus; checked before any answer
HUMAN_PHRASES = ("转人工", "人工", "真人", "接线员", "坐席", "工作人员",
                 "agent", "operator", "representative", "human", "a person", "real person")


@dataclass
class Match:
    entry: Optional[Entry]       # None: put the caller through to a person
    confidence: float
    reason: str                  # "answer", "asked_for_human", "low_confidence", "empty"

    @property
    def to_human(self) -> bool:
        return self.entry is None


def _prepare(text: str) -> str:
    return "".join(ch for ch in normalise(text) if ch not in FUNCTION_CHARS)


class Matcher:
    def __init__(self, kb: KnowledgeFile, min_confidence: Optional[float] = None):
        self.kb = kb
        self.min_confidence = (min_confidence if min_confidence is not None
                               else kb.min_confidence if kb.min_confidence is not None
                               else DEFAULT_MIN_CONFIDENCE)
        docs, owner, whole = [], [], []
        for i, entry in enumerate(kb.entries):
            for text in [entry.question, *entry.synonyms]:
                docs.append(_prepare(text))
                owner.append(i)
            whole.append(_prepare(" ".join([entry.question, *entry.synonyms, entry.answer])))
        self.owner = np.array(owner)
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), sublinear_tf=True)
        self.vectorizer.fit(docs + whole)
        self.docs = self.vectorizer.transform(docs)
        self.whole = self.vectorizer.transform(whole)

    def scores(self, text: str) -> np.ndarray:
        """Per entry: mean of the best short-document cosine and the whole-entry cosine."""
        query = self.vectorizer.transform([_prepare(text)]).T
        best = np.zeros(len(self.kb.entries))
        np.maximum.at(best, self.owner, (self.docs @ query).toarray().ravel())
        return 0.5 * best + 0.5 * (self.whole @ query).toarray().ravel()

    def match(self, text: str) -> Match:
        said = normalise(text)
        if not said:
            return Match(None, 0.0, "empty")
        if any(contains_phrase(said, normalise(p)) for p in HUMAN_PHRASES):
            return Match(None, 1.0, "asked_for_human")
        scores = self.scores(text)
        top = int(scores.argmax())
        confidence = float(scores[top])
        if confidence < self.min_confidence:
            return Match(None, confidence, "low_confidence")
        return Match(self.kb.entries[top], confidence, "answer")
