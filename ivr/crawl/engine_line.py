"""A line that plays an ivr menu as audio, in virtual time, through the one
call engine (ivr.engine.Call): what `ivr serve` puts on a SIP call, without
the network. The crawler tests and benchmarks its listening, fingerprints and
mapping on it where no SIP server is running; it knows nothing the crawler is
not told through the audio.

Prompts are spoken by espeak-ng (ivr.speech.tts) at telephone rate and sent
through G.711 μ-law; a node with a fixed `duration_s` is stretched to that
length (sox `tempo`, pitch kept), as a recording of that length would be; a
human node plays its prompt and then music on hold for ever; a hang-up ends
the call after its prompt.
"""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Optional

import numpy as np

from ..engine import Call
from ..errors import IvrError
from ..model import Menu
from .line import RATE, Line, LineCall

MUSIC_ON_HOLD = "/usr/share/asterisk/moh/macroform-robot_dity.wav"  # Debian asterisk-moh-opsound-wav
_cache: dict[tuple[str, str, float], np.ndarray] = {}
_cache_lock = threading.Lock()


def ulaw_roundtrip(samples: np.ndarray) -> np.ndarray:
    """Through G.711 μ-law and back, as every PCMU call carries audio."""
    from aiortp.codecs.g711 import PcmuCodec

    codec = PcmuCodec()
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    back = np.frombuffer(codec.decode(codec.encode(pcm)), dtype="<i2")
    return (back.astype(np.float32) / 32768.0)


def load_phone_audio(path: str | Path) -> np.ndarray:
    """Any WAV/FLAC as 8 kHz mono: the same reader (and length cap) as `ivr serve`'s hold music."""
    from ..telephony.prompts import load_8k
    return load_8k(path)


def prompt_audio(text: str, language: str, seconds: float, config: dict) -> np.ndarray:
    """The prompt spoken, lasting `seconds` (the engine's clock), through μ-law."""
    key = (text, language, round(seconds, 2))
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    from ..speech.audio import resample
    from ..speech.tts import synthesize
    from ..telephony.prompts import fit_to

    spoken = resample(synthesize(text, language, config), 16000, RATE)
    audio = ulaw_roundtrip(fit_to(spoken, seconds))
    with _cache_lock:
        _cache[key] = audio
    return audio


class EngineCall(LineCall):
    def __init__(self, line: "EngineLine"):
        self.line = line
        self.call = Call(line.menu, line.config)
        self.answered = True
        self.seen = 0                      # engine events already turned into audio
        self.sounds: list[tuple[float, np.ndarray]] = []  # (start s, audio)
        self.music_from: Optional[float] = None
        self.end_at: Optional[float] = None
        self.anchor = 0.0                  # engine clock at its last event: silence is timed from there
        self._sync()

    def _sync(self) -> None:
        """Schedule the audio of what the engine did since last time."""
        for event in self.call.events[self.seen:]:
            if event["type"] == "enter" and event.get("prompt") and event.get("prompt_s", 0) > 0:
                audio = prompt_audio(event["prompt"], self.line.menu.language, event["prompt_s"], self.line.config)
                self.sounds.append((event["t"], audio))
            elif event["type"] == "end":
                if event.get("outcome") == "human":
                    self.music_from = event["t"]
                else:
                    self.end_at = event["t"]
        self.seen = len(self.call.events)
        if self.call.events:
            self.anchor = self.call.events[-1]["t"]

    def _advance(self, to: float) -> None:
        """Let the engine's virtual clock reach `to`. The engine times silence
        from the start of one wait, so every wait starts again from the last
        event (waiting in 100 ms steps would restart its timeout each step;
        a wait that fired nothing changed nothing but the clock)."""
        if not self.call.ended and to > self.anchor:
            self.call.clock = self.anchor
            self.call.wait(to - self.anchor)
            self._sync()

    def read(self, seconds: float) -> np.ndarray:
        start, stop = self.seconds, self.seconds + seconds
        self._advance(stop)
        if self.end_at is not None:
            stop = min(stop, max(start, self.end_at))
        out = np.zeros(int(round((stop - start) * RATE)), np.float32)
        for at, audio in self.sounds:
            self._mix(out, start, at, audio)
        if self.music_from is not None and stop > self.music_from:
            music = self.line.music()
            offset = max(0.0, start - self.music_from)
            first = int(round(offset * RATE)) % len(music)
            looped = np.resize(np.roll(music, -first), len(out))
            lead = int(round(max(0.0, self.music_from - start) * RATE))
            out[lead:] += looped[:len(out) - lead]
        self.seconds = stop
        if self.end_at is not None and self.seconds >= self.end_at:
            self.ended, self.end_reason = True, "hangup"
        return out

    @staticmethod
    def _mix(out: np.ndarray, start: float, at: float, audio: np.ndarray) -> None:
        begin = int(round((at - start) * RATE))
        lo, hi = max(0, begin), min(len(out), begin + len(audio))
        if hi > lo:
            out[lo:hi] += audio[lo - begin:hi - begin]

    def press(self, key: str) -> None:
        if self.ended or self.call.ended:
            return
        self._advance(self.seconds)
        self._act(lambda: self.call.press(key))

    def say(self, samples: np.ndarray) -> None:
        """The caller speaks `samples`: the line hears them through μ-law and
        recognises them against the node's words once they end, as `ivr serve` does."""
        if self.ended or self.call.ended:
            return
        self.seconds += len(samples) / RATE    # the caller talks; what plays meanwhile is not listened to
        self._advance(self.seconds)
        if self.call.ended:
            return
        from ..speech.calls import constraints
        phrases, sequence = constraints(self.call)
        result = self.line.recognise(ulaw_roundtrip(samples), phrases, sequence)
        self._act(lambda: self.call.say(result.text, result.confidence, early=True))

    def _act(self, action) -> None:
        mark = len(self.call.events)
        action()
        if not all(_ignored(e) for e in self.call.events[mark:]):
            # an action the line takes cuts off whatever was still playing, as on a real line;
            # an ignored one (the `#` after a full entry, a key during a prompt that cannot
            # be interrupted) leaves the prompt playing
            self.sounds = [(at, a[:max(0, int(round((self.seconds - at) * RATE)))]) for at, a in self.sounds]
        self._sync()

    def hangup(self) -> None:
        if not self.call.ended:
            self.call.hangup()
        self.ended, self.end_reason = True, self.end_reason or "caller hangup"


def _ignored(event: dict) -> bool:
    return event["type"] == "ignored" or (event["type"] == "key" and "ignored" in event)


class EngineLine(Line):
    """Calls to `menu` played by the call engine as telephone audio."""

    def __init__(self, menu: Menu, config: Optional[dict] = None, music: str = MUSIC_ON_HOLD):
        from ..config import DEFAULTS

        self.menu, self.target = menu, f"engine:{menu.source}"
        self.config = dict(config or DEFAULTS)
        self.config["tts"] = {**self.config.get("tts", {}), "enabled": True}
        self.music_path = music
        self._music: Optional[np.ndarray] = None
        self._recognizer = None
        self._recognizer_lock = threading.Lock()   # calls run in threads; one recogniser, one at a time

    def recognise(self, samples: np.ndarray, phrases, sequence: bool):
        """The caller's words (telephone audio) against `phrases`, by the
        recogniser `ivr serve` would use for this menu (speech.engine in the config)."""
        from ..speech.audio import resample
        from ..speech.recognizer import get_recognizer
        with self._recognizer_lock:
            if self._recognizer is None:
                engine = self.config.get("speech", {}).get("engine", "auto")
                self._recognizer = get_recognizer(engine, self.menu.language, self.config)
            return self._recognizer.recognize(resample(samples, RATE, self._recognizer.rate), phrases, sequence)

    def music(self) -> np.ndarray:
        if self._music is None:
            if not Path(self.music_path).is_file():
                raise IvrError(f"music on hold {self.music_path} not found",
                               "install it: sudo apt-get install asterisk-moh-opsound-wav")
            music = load_phone_audio(self.music_path)
            loud = np.flatnonzero(np.abs(music) > 0.05)  # start where the music does, not in its fade-in
            self._music = ulaw_roundtrip(music[loud[0] if len(loud) else 0:])
        return self._music

    def dial(self, ring_timeout_s: float) -> LineCall:
        from ..speech import tts
        tts.enable_timing(self.config)  # the engine's clock uses the spoken prompts' real lengths
        return EngineCall(self)

    def close(self) -> None:
        from .. import timing
        timing.measured_duration = None   # process-wide: back to estimates once the crawl is over
