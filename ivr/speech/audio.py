"""Reading caller audio: any WAV/FLAC sample rate and channel count becomes
float32 mono at the rate the recogniser wants (telephone 8 kHz included)."""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import IvrError
from ..model import Where

RATE = 16000  # what both engines' English/Chinese/Korean models were trained on
MIN_RATE, MAX_RATE = 4000, 384000   # plausible recording rates
MAX_SECONDS = 120.0                 # one file = one utterance or caller turn


def resample(samples: np.ndarray, src_rate: int, dst_rate: int = RATE) -> np.ndarray:
    """Polyphase resampling (exact ratio, e.g. 8000 -> 16000 is up 2 / down 1)."""
    if src_rate == dst_rate:
        return samples.astype(np.float32, copy=False)
    from scipy.signal import resample_poly   # ~1 s of imports: only when audio needs resampling
    ratio = Fraction(dst_rate, src_rate)
    return resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)


def _check_bounds(src_rate: int, seconds: float, channels: int, where: Where, max_seconds: float) -> None:
    """Refuse, from the header and before decoding, what no phone call sounds like: a rate
    outside 4-384 kHz (a header saying 1 Hz asked for gigabytes of resampling and
    "recognised" a tone) or more than `max_seconds` of audio (a caller's turn)."""
    if not MIN_RATE <= src_rate <= MAX_RATE:
        raise IvrError(f"{where.file} says its sample rate is {src_rate} Hz", f"give audio sampled at "
                       f"{MIN_RATE}-{MAX_RATE} Hz (telephone audio is 8000 Hz)", where, code="audio-corrupt")
    if channels > 8:
        raise IvrError(f"{where.file} says it has {channels} channels", "give mono or stereo audio", where,
                       code="audio-corrupt")
    if seconds > max_seconds:
        raise IvrError(f"{where.file} is {seconds:.0f} s long; one caller turn is at most {max_seconds:g} s",
                       "cut the recording into the caller's turns (sox IN.wav OUT.wav trim START LENGTH)", where,
                       code="audio-too-long")


def load_audio(path: str | Path, rate: int = RATE, max_seconds: float = MAX_SECONDS) -> np.ndarray:
    """The file as float32 mono samples in [-1, 1] at `rate`.

    A missing, corrupt, non-audio, implausible (sample rate) or over-long
    file raises IvrError naming the file."""
    where = Where(str(path), 0, 0)
    if not Path(path).is_file():
        raise IvrError(f"audio file {path} not found", "give the path of a WAV or FLAC file",
                       where, code="audio-missing")
    try:
        info = sf.info(str(path))
        _check_bounds(info.samplerate, info.frames / max(info.samplerate, 1), info.channels, where, max_seconds)
        data, src_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as err:
        raise IvrError(f"{path} is not readable audio ({err})",
                       "give a WAV or FLAC file (convert others with: sox IN.mp3 OUT.wav)",
                       where, code="audio-corrupt") from None
    if data.size == 0:
        raise IvrError(f"{path} contains no audio samples", "record or export the file again",
                       where, code="audio-empty")
    return resample(data.mean(axis=1), src_rate, rate)


def to_pcm16(samples: np.ndarray) -> bytes:
    """Little-endian 16-bit PCM, the input format of vosk and pocketsphinx."""
    return (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def voiced_seconds(samples: np.ndarray) -> float:
    """Seconds of 100 ms blocks within 20 dB of the loudest (and above -40 dBFS):
    how long the caller spoke, to tell a menu word from a sentence."""
    block = RATE // 10
    levels = np.array([np.sqrt(np.mean(samples[i:i + block] ** 2))
                       for i in range(0, len(samples) - block + 1, block)])
    if not levels.size:
        return 0.0
    return float((levels > max(0.01, 0.1 * levels.max())).sum()) * 0.1


def save_wav(path: str | Path, samples: np.ndarray, rate: int = RATE) -> None:
    sf.write(str(path), samples, rate, subtype="PCM_16")


class EndOfSpeech:
    """Energy endpointer. Speech starts after `start_s` of blocks louder than
    the threshold and ends after `silence_s` of quieter blocks. The threshold
    is `min_level` RMS (about -40 dBFS), raised to 3x the room's noise (the
    10th percentile of block levels) once a second of audio is known."""

    def __init__(self, silence_s: float = 0.7, start_s: float = 0.2, min_level: float = 0.01):
        self.silence_s, self.start_s, self.min_level = silence_s, start_s, min_level
        self.levels: list[float] = []
        self.loud = self.quiet = 0.0
        self.state = "waiting"            # waiting -> speech -> ended
        self.heard = 0.0                  # seconds fed
        self.speech_start = 0.0

    def feed(self, block: np.ndarray) -> str:
        seconds = len(block) / RATE
        level = float(np.sqrt(np.mean(block ** 2))) if len(block) else 0.0
        self.levels.append(level)
        self.heard += seconds
        noise = float(np.percentile(self.levels, 10)) if self.heard >= 1.0 else 0.0
        loud = level > max(self.min_level, 3 * noise)
        if self.state == "waiting":
            self.loud = self.loud + seconds if loud else 0.0
            if self.loud >= self.start_s:
                self.state, self.speech_start = "speech", self.heard - self.loud
        elif self.state == "speech":
            self.quiet = 0.0 if loud else self.quiet + seconds
            if self.quiet >= self.silence_s:
                self.state = "ended"
        return self.state
