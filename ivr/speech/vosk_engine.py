"""vosk (Kaldi) recognition: grammar-constrained per menu node or free text,
streamed in chunks with partial results and word confidences."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import IvrError
from ..model import Where
from .audio import to_pcm16
from .recognizer import Recognition, Recognizer, Stream, unique_choices

UNKNOWN = "[unk]"  # vosk's garbage word: lets out-of-grammar speech come back as no-match


@lru_cache(maxsize=4)
def load_model(path: str):
    """Models take seconds and hundreds of MB to load: keep them per process."""
    import vosk
    vosk.SetLogLevel(-2)  # Kaldi warnings (e.g. a grammar word missing) stay quiet
    if not (Path(path) / "am").is_dir() and not (Path(path) / "conf").is_dir():
        raise IvrError(f"{path} is not a vosk model directory (no am/ or conf/)",
                       "run `ivr models verify` or download the model again",
                       Where(str(path), 0, 0), code="model-corrupt")
    try:
        return vosk.Model(str(path))
    except Exception as err:  # vosk raises a bare Exception on a broken model
        raise IvrError(f"vosk could not load the model in {path} ({err})",
                       "run `ivr models verify` or download the model again",
                       Where(str(path), 0, 0), code="model-corrupt") from None


class VoskStream(Stream):
    def __init__(self, model, rate: int, choices: Optional[list[str]]):
        import vosk
        if choices is None:
            self.rec = vosk.KaldiRecognizer(model, rate)
        else:
            grammar = json.dumps(choices + [UNKNOWN], ensure_ascii=False)
            self.rec = vosk.KaldiRecognizer(model, rate, grammar)
        self.rec.SetWords(True)
        self.segments: list[dict] = []   # finished utterances inside this stream
        self.endpoint = False

    def feed(self, samples: np.ndarray) -> str:
        if self.rec.AcceptWaveform(to_pcm16(samples)):
            self.segments.append(json.loads(self.rec.Result()))
            self.endpoint = True
            return self.segments[-1].get("text", "")
        return json.loads(self.rec.PartialResult()).get("partial", "")

    def finish(self) -> Recognition:
        self.segments.append(json.loads(self.rec.FinalResult()))
        words = [w for seg in self.segments for w in seg.get("result", [])
                 if w.get("word") != UNKNOWN]
        text = " ".join(t for t in (seg.get("text", "") for seg in self.segments) if t)
        text = " ".join(w for w in text.split() if w != UNKNOWN)
        # a phrase is as sure as its least sure word; nothing heard = 0
        conf = min((w["conf"] for w in words), default=0.0) if text else 0.0
        return Recognition(text=text, confidence=round(float(conf), 3), engine="vosk",
                           words=[{"word": w["word"], "conf": round(w["conf"], 3),
                                   "start": w["start"], "end": w["end"]} for w in words])


class VoskRecognizer(Recognizer):
    name = "vosk"

    def __init__(self, model_path: str | Path):
        self.model_path = str(model_path)
        self.model = load_model(self.model_path)

    def stream(self, choices: Optional[list[str]] = None, sequence: bool = False) -> Stream:
        # vosk's grammar graph already accepts a string of its phrases
        return VoskStream(self.model, self.rate, unique_choices(choices))
