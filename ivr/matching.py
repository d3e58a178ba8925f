"""Matching what a caller said to a node's choices (English and Chinese).

Text is normalised (Unicode NFKC, case-folded, punctuation dropped; no spaces
inside Chinese). A phrase matches when it stands in the utterance as whole
words (English) or as a substring (Chinese, which has no spaces); the longest
matching phrase wins, so "main menu" beats "menu". A spoken digit ("two",
"press two", "二", "按2") counts as pressing that key. Words that contain a
phrase but mean something else (人工智能 holds 人工, "human resources" holds
"human": ivr/data/intents.yaml) are no match for it. Paraphrases of the global
commands ("can I talk to somebody") are ivr.intents' job: `said_command`
asks it after the listed phrases.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from typing import Iterable, Optional, TypeVar

T = TypeVar("T")

_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
_CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef"


@functools.cache
def _cjk_gap(punct: bool) -> re.Pattern:
    """Spaces between two CJK characters (and CJK punctuation with `punct`).
    Compiled on first use by a CJK text: a class this wide costs 4 ms to
    compile, paid by every English-only command before."""
    cls = _CJK + (_CJK_PUNCT if punct else "")
    return re.compile(rf"(?<=[{cls}]) +(?=[{cls}])")


def _drop_cjk_gaps(text: str, punct: bool = False) -> str:
    return text if text.isascii() else _cjk_gap(punct).sub("", text)


DIGIT_WORDS = {
    "zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
    "six": "6", "seven": "7", "eight": "8", "nine": "9", "star": "*", "pound": "#", "hash": "#",
    "零": "0", "〇": "0", "一": "1", "幺": "1", "二": "2", "两": "2", "三": "3", "四": "4",
    "五": "5", "六": "6", "七": "7", "八": "8", "九": "9", "星号": "*", "井号": "#",
}
_PRESS = re.compile(r"^(?:press|dial|key|option|number|按|请按|按键)\s*")


def normalise(text: str) -> str:
    """NFKC, case-folded, punctuation and symbols to spaces, spaces collapsed,
    and no spaces between CJK characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch)[0] in "PSZC" and ch not in "*#" else ch for ch in text)
    text = " ".join(text.split())
    return _drop_cjk_gaps(text)


def tidy(text: str) -> str:
    """Display text: YAML line folds leave spaces between Chinese characters."""
    return _drop_cjk_gaps(" ".join(text.split()), punct=True)


def _is_cjk(text: str) -> bool:
    return not text.isascii() and bool(re.search(f"[{_CJK}]", text))


def contains_phrase(utterance: str, phrase: str) -> bool:
    """Both already normalised."""
    if not phrase:
        return False
    from .intents import blank_false_friends  # intents imports this module

    utterance = blank_false_friends(utterance, keep=phrase)
    if _is_cjk(phrase):
        return phrase in utterance
    return f" {phrase} " in f" {utterance} "


def spoken_key(utterance: str) -> Optional[str]:
    """The DTMF key an utterance names ("two", "press 2", "按二"), else None."""
    rest = _PRESS.sub("", normalise(utterance)).strip()
    if len(rest) == 1 and rest in "0123456789*#":
        return rest
    return DIGIT_WORDS.get(rest)


def best_match(utterance: str, choices: Iterable[tuple[Iterable[str], T]]) -> Optional[T]:
    """The payload whose phrase matches `utterance` best (longest phrase), or None."""
    said = normalise(utterance)
    best: Optional[T] = None
    best_len = 0
    for phrases, payload in choices:
        for phrase in phrases:
            norm = normalise(phrase)
            if len(norm) > best_len and contains_phrase(said, norm):
                best, best_len = payload, len(norm)
    return best


def said_command(utterance: str, commands: Iterable, paraphrases: Iterable[str] = ()) -> Optional[str]:
    """The name of the global command (ivr.model.Command) `utterance` gives: a
    listed phrase (longest wins), else a paraphrase of one of the commands named
    in `paraphrases` ("get me a live agent" for human), else None."""
    commands = list(commands)
    name = best_match(utterance, [(c.phrases, c.name) for c in commands])
    wanted = set(paraphrases) & {c.name for c in commands}
    if name is None and wanted:
        from .intents import classify

        found = classify(utterance, wanted)
        name = found.name if found else None
    return name
