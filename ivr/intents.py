"""Paraphrases of the global commands: "can I talk to somebody", "帮我接通客服人员",
"quiero hablar con una persona" mean `human` even where the menu lists only
"agent"; "this is useless", "我要投诉", "queja" are complaints.

A small lexicon (ivr/data/intents.yaml), not a model: every decision names
the patterns that made it, so a wrong one is fixed by editing a line of data.
An intent fires on a *strong* pattern, or on a *weak* one (a word that could
be ordinary talk: "someone", "工作人员") together with an *ask* ("talk to",
"帮我接"). English, Chinese and Spanish are checked together: a caller may
answer an English menu in Spanish. Measured on a held-out set by
benchmarks/intent_eval.py (docs/speech.md).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from .matching import normalise

DATA = Path(__file__).parent / "data" / "intents.yaml"
COMMAND_INTENTS = ("human", "main_menu", "back", "repeat")  # intents that are global commands
COMPLAINT = "complaint"


@dataclass(frozen=True)
class Intent:
    name: str            # human, main_menu, back, repeat, complaint
    evidence: tuple      # the words that matched, for the call log


def _latin(pattern: str) -> str:
    """Whole words for Latin-script patterns (Chinese has no word boundaries)."""
    return rf"(?<!\w)(?:{pattern})(?!\w)" if pattern.isascii() else pattern


@lru_cache(maxsize=1)
def _data() -> dict:
    import yaml  # the lexicon is read once, on the first paraphrase checked

    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _lexicon() -> tuple[tuple[str, ...], dict]:
    data = _data()
    friends = tuple(sorted((normalise(w) for w in data["false_friends"]), key=len, reverse=True))
    table = {}
    for intent, languages in data["intents"].items():
        table[intent] = {role: [re.compile(_latin(p)) for lang in languages.values() for p in lang.get(role, [])]
                         for role in ("strong", "weak", "ask")}
    return friends, table


def spoken_phrases(intent: str, language: str) -> list[str]:
    """Whole short requests for `intent` in `language` ("operator", "real
    person") that a closed-set recogniser scores as candidates (`spoken:` in
    the lexicon; only English has them so far)."""
    code = "zh" if language.lower().startswith("zh") else language.split("-")[0].lower()
    return list(_data()["intents"].get(intent, {}).get(code, {}).get("spoken", []))


def false_friends() -> tuple[str, ...]:
    """Normalised words that contain a command word but mean something else (人工智能)."""
    return _lexicon()[0]


def blank_false_friends(said: str, keep: str = "") -> str:
    """`said` (normalised) with false friends replaced by a bar, except those
    inside `keep` (a phrase a menu lists on purpose, e.g. an option "人工智能")."""
    for word in false_friends():
        if word in said and word not in keep:
            said = said.replace(word, " | ")
    return said


def _plain(text: str) -> str:
    """Normalised, accents removed (callers and recognisers drop them), false friends blanked."""
    text = unicodedata.normalize("NFKD", normalise(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return blank_false_friends(unicodedata.normalize("NFC", text))


def _fires(rules: dict, said: str) -> Optional[tuple]:
    for pattern in rules["strong"]:
        if (found := pattern.search(said)):
            return (found.group(0),)
    for pattern in rules["weak"]:
        if (found := pattern.search(said)):
            ask = next((m for p in rules["ask"] if (m := p.search(said))), None)
            if ask:
                return (found.group(0), ask.group(0))
    return None


def classify(text: str, allowed: Iterable[str] = COMMAND_INTENTS + (COMPLAINT,)) -> Optional[Intent]:
    """The first intent in `allowed`'s lexicon order that `text` expresses, or None."""
    said = _plain(text)
    if not said.strip(" |"):
        return None
    allowed = set(allowed)
    for name, rules in _lexicon()[1].items():
        if name in allowed and (evidence := _fires(rules, said)):
            return Intent(name, evidence)
    return None


def is_complaint(text: str) -> Optional[Intent]:
    """A complaint or an insult ("投诉", "3·15", "this is useless", "queja")."""
    return classify(text, (COMPLAINT,))
