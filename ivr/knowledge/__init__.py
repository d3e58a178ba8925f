"""Self-service answers from a knowledge base (question, synonyms, answer, source law).

`answer(kb_path, text)` is what the call engine uses at a self_service node
with `knowledge_base:`; it returns (answer, confidence, source), or None when
the caller should go to a person (asked for one, or no confident match):
never a dead end.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

from .base import Entry, KnowledgeFile, load_knowledge
from .match import DEFAULT_MIN_CONFIDENCE, HUMAN_PHRASES, Match, Matcher

__all__ = ["Entry", "KnowledgeFile", "Match", "Matcher", "answer", "load_knowledge", "matcher",
           "DEFAULT_MIN_CONFIDENCE", "HUMAN_PHRASES"]


@lru_cache(maxsize=16)
def _cached(path: str, mtime: float) -> Matcher:
    return Matcher(load_knowledge(path))


def matcher(kb_path: str | Path) -> Matcher:
    """A Matcher for the file, built once per file version."""
    path = str(Path(kb_path).resolve())
    mtime = Path(path).stat().st_mtime if Path(path).exists() else 0.0
    return _cached(path, mtime)


def answer(kb_path: str | Path, text: str,
           min_confidence: Optional[float] = None) -> Optional[tuple[str, float, str]]:
    """(answer text, confidence, source) for what the caller said, or None
    when the caller should be put through to a person."""
    m = matcher(kb_path)
    if min_confidence is not None and min_confidence != m.min_confidence:
        m = Matcher(m.kb, min_confidence)
    result = m.match(text)
    if result.entry is None:
        return None
    return result.entry.answer, result.confidence, result.entry.source
