"""What the crawler needs from a phone line, whatever carries the call.

A `Line` places calls; a `LineCall` is one call: audio is read in blocks of
telephone-band samples (float32 mono at `RATE`), keys are pressed, and the
call is hung up. SIP calls read in real time; the engine line in virtual time.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Optional

import numpy as np

RATE = 8000      # what a telephone line carries (G.711)
BLOCK_S = 0.1    # the crawler listens in 100 ms blocks


class LineCall(ABC):
    """One call in progress."""

    answered: bool = False
    ended: bool = False          # the far end hung up (or the call failed)
    end_reason: str = ""         # why it ended: "hangup", "busy", "no answer", "transfer", ...
    seconds: float = 0.0         # line time since the call was placed

    @abstractmethod
    def read(self, seconds: float) -> np.ndarray:
        """The next `seconds` of audio (fewer samples once the call has ended)."""

    @abstractmethod
    def press(self, key: str) -> None:
        """Send one DTMF key (0-9 * #)."""

    def say(self, samples: np.ndarray) -> None:
        """Speak `samples` (RATE) into the call (for --try-speech)."""
        raise NotImplementedError("this line cannot carry the caller's speech")

    @abstractmethod
    def hangup(self) -> None:
        """End the call from the crawler's side (safe to call twice)."""


class Line(ABC):
    """A phone line the crawler may call: only the one target it was given."""

    target: str = ""

    @abstractmethod
    def dial(self, ring_timeout_s: float) -> LineCall:
        """Place a call; returns once it is answered, refused or has rung for
        `ring_timeout_s` (then `answered` is False and `end_reason` says why)."""

    def close(self) -> None:
        """Release sockets and threads."""


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * RATE)), dtype=np.float32)


def level(block: np.ndarray) -> float:
    """RMS level of a block (0 for an empty block)."""
    return float(np.sqrt(np.mean(block.astype(np.float64) ** 2))) if len(block) else 0.0


def first_sound(samples: np.ndarray, threshold: float = 0.01) -> Optional[float]:
    """Seconds to the first 20 ms frame louder than `threshold`, or None."""
    frame = RATE // 50
    for i in range(0, len(samples), frame):
        if level(samples[i:i + frame]) > threshold:
            return i / RATE
    return None
