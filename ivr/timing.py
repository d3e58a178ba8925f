"""How long a prompt takes to say, in virtual seconds.

Measured TTS durations win when TTS timing is on (ivr.speech.tts provides
them); otherwise the length is estimated from the text and the speaking
rates in config.yaml.
"""
from __future__ import annotations

import re
from typing import Optional

from .model import Node

_CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"   # a pattern: compiled by re on the first CJK text (4 ms)
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f']+")

# set by ivr.speech.tts when TTS timing is enabled: (text, language) -> seconds or None
measured_duration = None


def estimate_seconds(text: str, timing: dict) -> float:
    """Seconds to say `text`: CJK characters and words at the configured rates."""
    if not text:
        return 0.0
    cjk = 0 if text.isascii() else len(re.findall(_CJK, text))
    words = len(_WORD.findall(text if not cjk else re.sub(_CJK, " ", text)))
    seconds = words * 60.0 / timing.get("words_per_minute", 150)
    seconds += cjk / timing.get("cjk_chars_per_second", 4.0)
    return round(seconds + timing.get("pause_s", 0.5), 2)


def prompt_seconds(node: Node, language: str, config: dict) -> float:
    """The node's prompt length: fixed duration, measured TTS, or estimate."""
    if node.duration_s is not None:
        return float(node.duration_s)
    text = node.spoken_text()
    if measured_duration is not None and text:
        measured: Optional[float] = measured_duration(text, language)
        if measured is not None:
            return round(measured, 2)
    return estimate_seconds(text, config.get("timing", {}))
