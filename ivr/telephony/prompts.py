"""Prompts for the phone: synthesised once with pyttsx3/espeak-ng (ivr.speech.tts),
converted to 8 kHz, kept in memory and on disk (config tts.cache_dir/8k), and
encoded once per codec. The engine's clock is told each prompt's real length
(ivr.timing.measured_duration), so its virtual timeline is the audio's; a node
with a fixed `duration_s` (a 30 s recorded intro) is played at a tempo that
lasts that long, as such a recording would (`fit_to`), not as speech and then
dead air that a caller (or `ivr crawl`) takes for the end of the prompt."""
from __future__ import annotations

import hashlib
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Optional

import numpy as np

from .. import timing
from ..errors import IvrError
from ..matching import tidy
from .codecs import Codec

RATE = 8000
MAX_PLAYBACK_SECONDS = 1800.0   # hold music and recorded prompts: longer than a caller turn, still bounded


def load_8k(path: str | Path) -> np.ndarray:
    """Any WAV/FLAC as float32 mono 8 kHz (hold music, recorded prompts)."""
    from ..speech.audio import load_audio
    return load_audio(path, RATE, max_seconds=MAX_PLAYBACK_SECONDS)


def fit_to(samples: np.ndarray, seconds: float) -> np.ndarray:
    """8 kHz `samples` played at a tempo that lasts `seconds` (sox tempo keeps the pitch)."""
    import soundfile as sf

    have = len(samples) / RATE
    if have <= 0 or abs(have - seconds) < 0.05:
        return _fit(samples, seconds)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.wav", Path(tmp) / "out.wav"
        sf.write(src, samples, RATE, subtype="PCM_16")
        try:
            subprocess.run(["sox", str(src), str(dst), "tempo", "-s", f"{have / seconds:.4f}"],
                           check=True, capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as err:
            raise IvrError(f"sox could not stretch a prompt to {seconds} s ({err})",
                           "install sox: sudo apt-get install sox") from None
        out, _ = sf.read(dst, dtype="float32")
    return _fit(out, seconds)


def _fit(samples: np.ndarray, seconds: float) -> np.ndarray:
    n = int(round(seconds * RATE))
    return samples[:n] if len(samples) >= n else np.concatenate([samples, np.zeros(n - len(samples), np.float32)])


class Prompts:
    def __init__(self, config: dict):
        self.config = config
        tts = config.get("tts", {})
        self.dir = Path(tts.get("cache_dir", ".cache/tts")) / "8k"
        self.rate_wpm = tts.get("rate_wpm", 160)
        self._audio: dict[str, np.ndarray] = {}
        self._encoded: dict[tuple, bytes] = {}
        self._fitted: dict[tuple[str, float], np.ndarray] = {}
        self._lock = threading.Lock()

    def _key(self, text: str, language: str) -> str:
        from ..speech.tts import CACHE_VERSION, voice_for
        voice = voice_for(language, self.config)
        return hashlib.sha1(f"{CACHE_VERSION}|{voice}|{self.rate_wpm}|{text}".encode()).hexdigest()

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

    def encoded(self, text: str, language: str, codec: Codec, seconds: Optional[float] = None) -> bytes:
        """The prompt as `codec` payload bytes (one byte per sample for G.711),
        lasting `seconds` when given (a node's fixed duration)."""
        key = (self._key(tidy(text), language), codec.name, seconds)
        found = self._encoded.get(key)
        if found is None:
            found = self._encoded[key] = codec.encode_samples(self.fitted(text, language, seconds))
        return found

    def fitted(self, text: str, language: str, seconds: Optional[float]) -> np.ndarray:
        """The prompt lasting `seconds` (None: as spoken), stretched once."""
        if seconds is None:
            return self.audio(text, language)
        key = (self._key(tidy(text), language), seconds)
        if key not in self._fitted:
            self._fitted[key] = fit_to(self.audio(text, language), seconds)
        return self._fitted[key]

    def time_engine(self) -> None:
        """Make the call engine's prompt lengths the real synthesised lengths."""
        timing.measured_duration = self.duration

    def warm(self, menu, extra: Optional[list[str]] = None) -> int:
        """Synthesise every prompt of `menu` now (before calls, not during one)."""
        texts = [node.spoken_text() for node in menu.nodes.values()] + list(extra or [])
        for text in texts:
            self.audio(text, menu.language)
        for node in menu.nodes.values():   # fixed-length prompts are stretched now, not during a call
            if node.duration_s is not None and node.spoken_text():
                self.fitted(node.spoken_text(), menu.language, node.duration_s)
        return len(texts)
