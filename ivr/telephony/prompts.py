"""Prompts for the phone: synthesised once with pyttsx3/espeak-ng (ivr.speech.tts),
converted to 8 kHz, kept in memory and on disk (config tts.cache_dir/8k), and
encoded once per codec. The engine's clock is told each prompt's real length
(ivr.timing.measured_duration), so its virtual timeline is the audio's."""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Optional

import numpy as np

from .. import timing
from ..matching import tidy
from .codecs import Codec

RATE = 8000


def load_8k(path: str | Path) -> np.ndarray:
    """Any WAV/FLAC as float32 mono 8 kHz (hold music, recorded prompts)."""
    from ..speech.audio import load_audio
    return load_audio(path, RATE)


class Prompts:
    def __init__(self, config: dict):
        self.config = config
        tts = config.get("tts", {})
        self.dir = Path(tts.get("cache_dir", ".cache/tts")) / "8k"
        self.rate_wpm = tts.get("rate_wpm", 160)
        self._audio: dict[str, np.ndarray] = {}
        self._encoded: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def _key(self, text: str, language: str) -> str:
        from ..speech.tts import voice_for
        voice = voice_for(language, self.config)
        return hashlib.sha1(f"{voice}|{self.rate_wpm}|{text}".encode()).hexdigest()

    def audio(self, text: str, language: str) -> np.ndarray:
        """The prompt as float32 8 kHz samples (synthesised on first use)."""
        text = tidy(text)
        if not text:
            return np.zeros(0, dtype=np.float32)
        key = self._key(text, language)
        found = self._audio.get(key)
        if found is not None:
            return found
        with self._lock:
            if key in self._audio:
                return self._audio[key]
            path = self.dir / f"{key}.wav"
            if path.is_file():
                try:
                    samples = load_8k(path)
                except Exception:  # a damaged cache file is only a cache: synthesise again
                    samples = None
            else:
                samples = None
            if samples is None:
                from ..speech.audio import resample, save_wav
                from ..speech.tts import synthesize
                from ..speech.audio import RATE as TTS_RATE
                samples = resample(synthesize(text, language, self.config), TTS_RATE, RATE)
                self.dir.mkdir(parents=True, exist_ok=True)
                partial = path.with_suffix(f".{threading.get_ident()}.tmp.wav")
                save_wav(partial, samples, RATE)
                partial.replace(path)
            self._audio[key] = samples
            return samples

    def duration(self, text: str, language: str) -> float:
        return len(self.audio(text, language)) / RATE

    def encoded(self, text: str, language: str, codec: Codec) -> bytes:
        """The prompt as `codec` payload bytes (one byte per sample for G.711)."""
        key = (self._key(tidy(text), language), codec.name)
        found = self._encoded.get(key)
        if found is None:
            found = self._encoded[key] = codec.encode_samples(self.audio(text, language))
        return found

    def time_engine(self) -> None:
        """Make the call engine's prompt lengths the real synthesised lengths."""
        timing.measured_duration = self.duration

    def warm(self, menu, extra: Optional[list[str]] = None) -> int:
        """Synthesise every prompt of `menu` now (before calls, not during one)."""
        texts = [node.spoken_text() for node in menu.nodes.values()] + list(extra or [])
        for text in texts:
            self.audio(text, menu.language)
        return len(texts)
