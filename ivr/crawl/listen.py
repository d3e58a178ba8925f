"""Where what the line plays ends: the crawler listens in blocks until

- `gap`:    sound, then `gap_s` of quiet: a prompt has ended and the line waits;
- `hangup`: the far end hung up (after a goodbye, or at once);
- `silent`: nothing at all for `max_wait_s` (a line that waits without a word);
- `music`:  sound without a pause for `music_s` whose level is steady like
            music, not speech: hold music, i.e. a queue for a person;
- `endless`: sound without a pause for `max_prompt_s` (unsure what it is).

Tuned on real recordings (Asterisk's English prompts, its music on hold,
espeak-ng prompts): real prompts pause up to 1.2 s between sentences, music on
hold may pause 1.2 s too, so a prompt ends after 1.5 s of quiet; speech's
log-level varies (std 1.9-2.9 over 8 s), music's much less (0.2-1.6 mostly).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .line import BLOCK_S, RATE, LineCall, level


@dataclass
class ListenSettings:
    gap_s: float = 1.5           # quiet after sound that ends a prompt
    max_wait_s: float = 12.0     # quiet before anything plays: the line waits silently
    music_s: float = 15.0        # unbroken sound this long may be music...
    music_std: float = 1.5       # ...if its log level varies less than this (speech: ~2-3)
    max_prompt_s: float = 120.0  # unbroken sound this long: stop listening, unsure
    threshold: float = 0.01      # RMS of "sound" (about -40 dBFS)


@dataclass
class Heard:
    """One stretch of what the line played after the caller's last action."""
    end: str                     # gap | hangup | silent | music | endless | stopped
    lead_s: float = 0.0          # quiet before the first sound (the line's reaction time / timeout)
    duration_s: float = 0.0      # first sound to last sound
    samples: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))  # the sound, at RATE

    @property
    def sound(self) -> bool:
        return self.duration_s > 0.2

    def summary(self) -> dict:
        return {"end": self.end, "lead_s": round(self.lead_s, 2), "duration_s": round(self.duration_s, 2)}


def envelope_std(samples: np.ndarray) -> float:
    """Standard deviation of the log level in 10 ms frames (speech varies, music less)."""
    frame = RATE // 100
    n = len(samples) // frame
    if n < 10:
        return 99.0
    levels = np.sqrt((samples[:n * frame].reshape(n, frame).astype(np.float64) ** 2).mean(axis=1))
    return float(np.std(np.log(levels + 1e-4)))


def listen(call: LineCall, settings: ListenSettings, stop=None) -> Heard:
    """Read the call until what plays ends (see the module docstring);
    `stop` (a threading.Event) set: return at once with what was heard."""
    s = settings
    blocks: list[np.ndarray] = []
    heard = 0.0                  # seconds read
    start = None                 # when sound began
    last_loud = 0.0              # end of the last loud block
    while True:
        block = call.read(BLOCK_S)
        if len(block):
            blocks.append(block)
            heard += len(block) / RATE
            if level(block) > s.threshold:
                if start is None:
                    start = heard - len(block) / RATE
                last_loud = heard
        if call.ended or not len(block):
            return _heard("hangup", blocks, start, last_loud)
        if stop is not None and stop.is_set():
            return _heard("stopped", blocks, start, last_loud)
        if start is None:
            if heard >= s.max_wait_s:
                return Heard("silent", lead_s=heard)
            continue
        if heard - last_loud >= s.gap_s:
            return _heard("gap", blocks, start, last_loud)
        unbroken = heard - start
        if unbroken >= s.music_s:
            tail = np.concatenate(blocks)[-int(8 * RATE):]
            if envelope_std(tail) < s.music_std:
                return _heard("music", blocks, start, heard)
        if unbroken >= s.max_prompt_s:
            return _heard("endless", blocks, start, heard)


def _heard(end: str, blocks: list[np.ndarray], start, last_loud: float) -> Heard:
    if start is None:
        return Heard(end, lead_s=sum(len(b) for b in blocks) / RATE)
    audio = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    sound = audio[int(start * RATE):int(last_loud * RATE)]
    return Heard(end, lead_s=start, duration_s=len(sound) / RATE, samples=sound)
