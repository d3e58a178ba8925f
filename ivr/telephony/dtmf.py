"""DTMF: RFC 4733 telephone-events and SIP INFO bodies.

A digit is reported on the FIRST packet of its event (a new RTP timestamp),
not at the end packet ~100-200 ms later, so barge-in is immediate; the
repeated and end packets of the same event are absorbed."""
from __future__ import annotations

import re
import struct
from typing import Optional

KEYS = "0123456789*#ABCD"          # event codes 0-15 (RFC 4733 §3.2)


class EventDetector:
    """Feed telephone-event payloads with their RTP timestamps; `feed` returns
    the digit once per event."""

    def __init__(self) -> None:
        self._last: Optional[tuple[int, int]] = None   # (timestamp, event) already reported

    def feed(self, payload: bytes, timestamp: int) -> Optional[str]:
        if len(payload) < 4:
            return None
        event = payload[0]
        # an event is its RTP timestamp; the code too, since replayed captures reuse timestamps
        if event >= len(KEYS) or (timestamp, event) == self._last:
            return None
        self._last = (timestamp, event)
        return KEYS[event]


def event_payload(digit: str, duration: int, end: bool = False, volume: int = 10) -> bytes:
    """One telephone-event payload (for a caller sending digits)."""
    return struct.pack("!BBH", KEYS.index(digit.upper()), (0x80 if end else 0) | (volume & 0x3F),
                       duration & 0xFFFF)


_RELAY = re.compile(r"^\s*signal\s*=\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def info_digit(content_type: str, body: str) -> Optional[str]:
    """The digit in a SIP INFO body: application/dtmf-relay (`Signal=5`) or
    application/dtmf (`5`); None when there is none."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "application/dtmf-relay":
        found = _RELAY.search(body or "")
        digit = found.group(1) if found else ""
    elif kind == "application/dtmf":
        digit = (body or "").strip()[:1]
    else:
        return None
    digit = {"10": "*", "11": "#"}.get(digit, digit).upper()
    return digit if len(digit) == 1 and digit in KEYS else None
