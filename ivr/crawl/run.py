"""One crawl from start to files: the line for a target, the crawl, the
transcripts, the YAML map and the report. Shared by `ivr crawl` and the
Dask batch (each worker runs this for one line)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from ..errors import IvrError
from .explore import Budget, Crawler
from .line import Line
from .listen import ListenSettings

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Job:
    target: str                       # sip:LINE@HOST[:PORT], or sim:MENU.yaml (the engine line)
    out: Optional[str] = None         # YAML map path (None: returned only)
    report: Optional[str] = None      # report JSON path
    language: str = "en"
    dtmf: str = "rfc4733"
    budget: Budget = field(default_factory=Budget)
    listen: ListenSettings = field(default_factory=ListenSettings)
    transcribe: bool = True
    try_speech: bool = False          # then say the words heard for each key (needs transcripts)
    engine: str = "auto"
    keys: tuple[str, ...] = tuple("0123456789*#")


def open_line(target: str, dtmf: str = "rfc4733", config: Optional[dict] = None) -> Line:
    if target.startswith(("sip:", "sips:")):
        from .sip_line import SipLine
        return SipLine(target, dtmf=dtmf)
    if target.startswith("sim:"):
        from ..sources import open_menu
        from .engine_line import EngineLine
        return EngineLine(open_menu(target[4:], config=config), config)
    raise IvrError(f"{target!r} is not a line ivr can call",
                   "give sip:LINE@HOST[:PORT] (or sim:MENU.yaml to try the crawler on a menu file "
                   "played by the call engine, without a network)", code="bad-target")


def speaker(language: str, config: Optional[dict] = None) -> Callable[[str], "np.ndarray"]:
    """words -> synthesised speech at the line's rate (espeak-ng via ivr.speech.tts), each once."""
    from ..speech.audio import RATE as TTS_RATE, resample
    from ..speech.tts import synthesize
    from .line import RATE
    spoken: dict[str, "np.ndarray"] = {}

    def speak(words: str) -> "np.ndarray":
        if words not in spoken:
            spoken[words] = resample(synthesize(words, language, config), TTS_RATE, RATE)
        return spoken[words]
    return speak


def crawl(job: Job, config: Optional[dict] = None, progress: Callable[[str], None] = lambda m: None,
          on_crawler: Callable[[Crawler], None] = lambda c: None) -> dict:
    """Run `job`; write its files; return the report."""
    if config is None:
        from ..config import DEFAULTS
        config = DEFAULTS    # the recogniser choice (speech.whisper_models) is in the defaults
    from . import write
    from .transcribe import transcribe

    line = open_line(job.target, job.dtmf, config)
    crawler = Crawler(line, job.budget, job.listen, keys=job.keys, progress=progress)
    on_crawler(crawler)
    try:
        crawler.run()
        engine = transcribe(crawler, job.language, job.engine, config, progress) if job.transcribe else ""
        if job.try_speech and not crawler.stop.is_set():
            progress("saying the words heard for each key")
            crawler.try_phrases(speaker(job.language, config))
            if not any(n.spoken for n in crawler.nodes.values()):
                crawler.unsure.append("--try-speech: no words to say (no prompt was transcribed with options)")
    finally:
        line.close()
    report = write.report(crawler, job.target)
    report["recogniser"] = engine or None
    if crawler.nodes:
        text = write.dump(crawler, job.target, job.language)
        if job.out:
            Path(job.out).write_text(text, encoding="utf-8")
        report["yaml"] = job.out or text
    if job.report:
        Path(job.report).write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    return report
