"""Transcripts of the prompts found, with the best recogniser installed for
the language (ivr.speech.recognizer.get_recognizer: a neural engine where one
is installed, else what there is), and the options they announce."""
from __future__ import annotations

from typing import Callable, Optional

from ..errors import IvrError
from .explore import Crawler
from .options import extract


def transcribe(crawler: Crawler, language: str, engine: str = "auto", config: Optional[dict] = None,
               progress: Callable[[str], None] = lambda msg: None) -> str:
    """Fill each node's transcript and heard labels; returns the engine used
    ("" when none could be had, which the report says)."""
    from ..speech.audio import resample
    from ..speech.recognizer import get_recognizer

    try:
        recognizer = get_recognizer(engine, language, config)
    except IvrError as err:
        crawler.unsure.append(f"no transcripts: {err.problem} "
                              "(the map is by keys only)")
        return ""
    for i, node in enumerate(crawler.nodes.values()):
        if not node.heard.sound:
            continue
        progress(f"transcribing {i + 1}/{len(crawler.nodes)} ({node.duration_s:.0f} s of prompt)")
        audio = resample(node.heard.samples, 8000, recognizer.rate)
        try:
            node.transcript = recognizer.recognize(audio).text.strip()
        except Exception as err:  # an engine failing on one prompt must not lose the map
            crawler.unsure.append(f"{node.id}: the recogniser failed ({err})")
            continue
        node.labels = extract(node.transcript)
    return recognizer.name
