"""Transcripts of the prompts found, with the best recogniser installed for
the language (ivr.speech.recognizer.get_recognizer: a neural engine where one
is installed, else what there is), and the options they announce. A transcript
the recogniser is not sure of (below speech.min_confidence) is not used, unless
the keys it announces are the keys the probes found working; else the node
stays "not transcribed" and the report lists what was heard."""
from __future__ import annotations

from typing import Callable, Optional

from ..errors import IvrError
from .explore import Crawler
from .options import extract, spoken


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
    min_confidence = float((config or {}).get("speech", {}).get("min_confidence", 0.5))
    for i, node in enumerate(crawler.nodes.values()):
        if not node.heard.sound:
            continue
        progress(f"transcribing {i + 1}/{len(crawler.nodes)} ({node.duration_s:.0f} s of prompt)")
        audio = resample(node.heard.samples, 8000, recognizer.rate)
        try:
            heard = recognizer.recognize(audio)
        except Exception as err:  # an engine failing on one prompt must not lose the map
            crawler.unsure.append(f"{node.id}: the recogniser failed ({err})")
            continue
        labels = extract(heard.text.strip())
        if heard.confidence < min_confidence and not _keys_agree(labels, node, crawler):
            # nonsense would name no options and so make every way to a person look hidden
            crawler.unsure.append(f"{node.id}: transcript below confidence {min_confidence:g} "
                                  f"({heard.confidence:.2f}), not used: {heard.text.strip()!r}")
            continue
        node.transcript = heard.text.strip()
        node.transcript_sure = heard.confidence >= min_confidence
        node.labels = labels
        node.said = spoken(node.transcript)
    return recognizer.name


def _keys_agree(labels: dict[str, str], node, crawler: Crawler) -> bool:
    """An unsure transcript is still kept when what it announces is what the
    probes found: two keys or more, every one of them leading somewhere else
    (nonsense does not name the very keys that work)."""
    from .write import leads_back
    works = {k for k, t in node.edges.items()
             if k != "next" and t not in (node.id, "@silent") and not leads_back(crawler, t, node.id)}
    return len(labels) >= 2 and set(labels) <= works
