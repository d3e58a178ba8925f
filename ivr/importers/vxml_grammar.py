"""What a VoiceXML element accepts and how <filled> branches on it:
phrases and DTMF keys from inline SRGS grammars, and `cond` expressions
read as tests on a field's value (only the forms we can read for sure)."""
from __future__ import annotations

import re

from .safe_xml import Element, text_of

DTMF = re.compile(r"^[0-9*#A-D]$")


def _is_dtmf(g: Element) -> bool:
    return (g.get("mode") or "").strip().lower() == "dtmf"


def grammar_phrases(elem: Element) -> list[str]:
    """Spoken phrases from inline SRGS grammars (items), or a simple text grammar."""
    out = []
    for g in elem.iter("grammar"):
        if _is_dtmf(g):
            continue
        items = [text_of(i) for i in g.iter("item") if len(i) == 0 and text_of(i)]
        if items:
            out += items
        elif text_of(g):
            out += [p.strip() for p in re.split(r"[|\n]", text_of(g)) if p.strip()]
    return out


def choice_phrases(choice: Element) -> list[str]:
    own = (choice.text or "").strip()
    return ([own] if own else []) + [p for p in grammar_phrases(choice) if p != own]


def dtmf_keys(elem: Element) -> tuple[list[str], list[Element]]:
    """Keys of the inline SRGS DTMF grammars in `elem` (`<item>0</item>`,
    `<item>1 2</item>` = "12"), and the DTMF grammars we cannot read
    (external src, rule references, ABNF text, items that are not keys)."""
    keys: list[str] = []
    unread: list[Element] = []
    for g in elem.iter("grammar"):
        if not _is_dtmf(g):
            continue
        items = [i for i in g.iter("item")]
        found = []
        for i in items:
            if len(i):
                continue
            tokens = text_of(i).split()
            if not tokens or not all(DTMF.match(t) for t in tokens):
                found = None
                break
            found.append("".join(tokens))
        if g.get("src") or any(True for _ in g.iter("ruleref")) or not items or not found:
            unread.append(g)
            continue
        keys += [k for k in found if k not in keys]
    return keys, unread


_LITERAL = r"""(?:'([^']*)'|"([^"]*)"|([\w.+-]+))"""


def cond_test(cond: str, name: str, boolean: bool = False) -> tuple[str, str | None]:
    """A <filled> condition on field `name`: ("eq", value) for `name == 'v'`
    (either side), `name` / `!name` on a boolean field ("true" / "false");
    ("unread", cond) for anything else — never a guess."""
    c = (cond or "").strip()
    while c.startswith("(") and c.endswith(")") and c.count("(") == 1:
        c = c[1:-1].strip()
    n = re.escape(name)
    if boolean and re.fullmatch(n, c):
        return "eq", "true"
    if boolean and re.fullmatch(rf"!\s*{n}", c):
        return "eq", "false"
    m = re.fullmatch(rf"{n}\s*===?\s*{_LITERAL}", c) or re.fullmatch(rf"{_LITERAL}\s*===?\s*{n}", c)
    if m:
        return "eq", next(g for g in m.groups() if g is not None)
    return "unread", c
