"""The options a prompt announces, from its transcript, in English and Chinese:

    "For billing, press 1. Press 0 for an agent."   -> {"1": "billing", "0": "an agent"}
    "查询话费请按1，请按0转人工。按9"                   -> {"1": "查询话费", "0": "转人工", "9": ""}

A clause names a key ("press 1", "dial one", "按1", "请按零") and its label
stands before it ("for billing, press 1") or after it ("press 0 for an agent");
a label alone in the clause before the key counts too ("For sales, press 2").

Chinese transcripts are also read by sound: a recogniser's errors in Chinese
are mostly characters that sound alike, and Whisper base hears espeak-ng's
"请按一" as "千岸一" or "迁安一". Where two characters read like qing-an (an
"an" after a "qing", "qin" or "qian") come before a key, or a character that
reads like a digit (临 lin for 零), they are read as 请按 and that key
("wan" counts as "an": the crawler heard 请按三 as 千万三 too):

    "加入工会千岸一，其他问题迁安三"                 -> {"1": "加入工会", "3": "其他问题"}

`spoken` finds the words a prompt offers instead of a key ("press 1 or say
billing" -> {"1": "billing"}), which `ivr crawl --try-speech` says.
"""
from __future__ import annotations

import re

from ..matching import DIGIT_WORDS, tidy

_KEY = r"(?:[0-9*#]|zero|oh|one|two|three|four|five|six|seven|eight|nine|star|pound|hash" \
       r"|[零〇一幺二两三四五六七八九]|星号|井号)"
_EN_PRESS = re.compile(rf"\b(?:press|dial|push|key|enter)\s+(?:the\s+)?(?:number\s+)?({_KEY})\b(?:\s+key)?", re.I)
_ZH_PRESS = re.compile(rf"(?:请)?按\s*({_KEY})(?:\s*键)?")
_CLAUSES = re.compile(r"[.;!?。；！？,，、\n]+")
_EN_LEAD = re.compile(r"^(?:and\s+|or\s+|then\s+)?(?:if you (?:want|would like|wish|need)\s+(?:to\s+)?|for\s+|to\s+|please\s+)?", re.I)
_EN_TAIL = re.compile(r"\s*(?:,?\s*or say\b.*|\bplease\b|\bnow\b|\bor\b|\band\b)\s*$", re.I)
_ZH_TRIM = re.compile(r"^(?:如需|如果|需要|请|您)+|(?:请|的话)+$")


_QING = {"qing", "qin", "qian"}                   # how 请 is misheard
_AN = {"an", "wan"}                                 # and 按 (千岸一, 迁安二, 千万三)
_DIGIT_SOUNDS = {"ling": "零", "lin": "零", "yi": "一", "yao": "幺", "er": "二", "san": "三", "si": "四",
                 "wu": "五", "liu": "六", "qi": "七", "ba": "八", "jiu": "九"}


def _by_sound(text: str) -> str:
    """`text` with sound-alikes of 请按 + key written as such (see above)."""
    if text.isascii():
        return text
    from pypinyin import lazy_pinyin
    sounds = [lazy_pinyin(ch)[0] if not ch.isascii() else ch for ch in text]
    chars = list(text)
    for i in range(1, len(chars) - 1):
        key = chars[i + 1]
        digit = key if re.fullmatch(_KEY, key) else _DIGIT_SOUNDS.get(sounds[i + 1], "")
        if sounds[i] in _AN and sounds[i - 1] in _QING and digit:
            chars[i - 1:i + 2] = ["请", "按", digit]
    return "".join(chars)


def _key(word: str) -> str:
    word = word.lower()
    return word if word in "0123456789*#" else DIGIT_WORDS.get(word, "")


def _label_en(text: str) -> str:
    text = _EN_TAIL.sub("", text.strip(" ,-")).strip()
    return _EN_LEAD.sub("", text).strip(" ,-")


def _label_zh(text: str) -> str:
    return _ZH_TRIM.sub("", text.strip()).strip()


_EN_LAST_LEAD = re.compile(r"\b(?:for|to)\s+((?:(?!\b(?:for|to)\b).)+?)\s*$", re.I)


def _unpunctuated(clause: str, hits: list, found: dict[str, str]) -> None:
    """"for billing press 1 or say billing to report an outage press 2 ...":
    each key's label is what stands between the key before it and it (in
    English the last "for …"/"to …" there, as "or say billing" comes first)."""
    end = 0
    for hit in hits:
        before = clause[end:hit.start()]
        end = hit.end()
        if hit.re is _ZH_PRESS:
            label = _label_zh(before)
        else:
            lead = _EN_LAST_LEAD.search(before)
            label = _label_en(lead.group(1)) if lead else (_label_en(before) if hit is hits[0] else "")
        key = _key(hit.group(1))
        if key and key not in found:
            found[key] = label


def extract(text: str) -> dict[str, str]:
    """{key: label} of the options `text` announces (label "" when none was said)."""
    found: dict[str, str] = {}
    pending = ""  # a clause with a label and no key, e.g. "For sales" before ", press 2"
    for clause in _CLAUSES.split(_by_sound(tidy(text))):
        clause = clause.strip()
        if not clause:
            continue
        hits = list(_EN_PRESS.finditer(clause)) or list(_ZH_PRESS.finditer(clause))
        if not hits:
            pending = clause
            continue
        if len(hits) > 1:   # a recogniser that writes no punctuation: one clause per key
            _unpunctuated(clause, hits, found)
            pending = ""
            continue
        hit = hits[0]
        zh = hit.re is _ZH_PRESS
        before, after = clause[:hit.start()], clause[hit.end():]
        label_of = _label_zh if zh else _label_en
        label = label_of(before) or label_of(after) or label_of(pending)
        key = _key(hit.group(1))
        if key and key not in found:
            found[key] = label
        pending = ""
    return found


_STOP = r"(?:for|to|press|dial|or|and|at|please)"
_EN_SAY_AFTER = re.compile(rf"\b(?:press|dial)\s+({_KEY})\s*,?\s+or\s+say\s+((?:(?!\b{_STOP}\b)[\w'-]+\s*)+)", re.I)
_EN_SAY_BEFORE = re.compile(rf"\bsay\s+((?:(?!\b{_STOP}\b)[\w'-]+\s*)+?)\s*,?\s*or\s+(?:press|dial)\s+({_KEY})\b", re.I)
_ZH_SAY = re.compile(rf"(?:请)?按\s*({_KEY})(?:\s*键)?\s*[，,]?\s*或(?:者)?(?:请)?说\s*[“\"「]?"
                     r"([\u4e00-\u9fff]+?)[”\"」]?(?=[。，,；;！!？?]|$)")


def spoken(text: str) -> dict[str, str]:
    """{key: words} a prompt says may be spoken instead of the key:
    "press 0 or say agent", "say billing or press 1", "按1或说查询"."""
    found: dict[str, str] = {}
    text = tidy(text)
    for m in _EN_SAY_AFTER.finditer(text):
        found.setdefault(_key(m.group(1)), m.group(2).strip())
    for m in _EN_SAY_BEFORE.finditer(text):
        found.setdefault(_key(m.group(2)), m.group(1).strip())
    for m in _ZH_SAY.finditer(text):
        found.setdefault(_key(m.group(1)), m.group(2))
    return {k: v for k, v in found.items() if k and v}
