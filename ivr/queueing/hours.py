"""Business hours of a queue, e.g. "24x7", "08:00-20:00" (every day) or
"Mon-Fri 08:00-20:00; Sat 09:00-13:00". Simulated time starts on a Monday
at 00:00."""
from __future__ import annotations

import re

import numpy as np

from ..errors import IvrError
from ..model import Where

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PART = re.compile(r"^(?:(?P<d1>[a-z]{3})(?:-(?P<d2>[a-z]{3}))?\s+)?"
                   r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})$")


def parse_hours(text: str, where: Where | None = None) -> list[tuple[int, int, int, int]] | None:
    """(first day, last day, open second, close second) spans; None = always open."""
    text = (text or "24x7").strip().lower()
    if text in ("24x7", "24/7", "always", ""):
        return None
    spans = []
    for part in re.split(r"[;,]", text):
        m = _PART.match(part.strip())
        d1, d2 = (m.group("d1"), m.group("d2") or m.group("d1")) if m and m.group("d1") else ("mon", "sun")
        if not m or d1 not in DAYS or d2 not in DAYS:
            raise IvrError(f"queue hours {text!r} are not understood",
                           'write 24x7, 08:00-20:00 or "Mon-Fri 08:00-20:00; Sat 09:00-13:00"', where)
        start = int(m.group("h1")) * 3600 + int(m.group("m1")) * 60
        end = int(m.group("h2")) * 3600 + int(m.group("m2")) * 60
        if not 0 <= start < end <= 86400:
            raise IvrError(f"queue hours {part.strip()!r}: opening must be before closing, within a day",
                           "e.g. 08:00-20:00", where)
        spans.append((DAYS.index(d1), DAYS.index(d2), start, end))
    return spans


def is_open(spans: list[tuple[int, int, int, int]] | None, t: np.ndarray) -> np.ndarray:
    """For each virtual time in seconds: is the queue open?"""
    if spans is None:
        return np.ones(len(t), bool)
    day = (t // 86400).astype(np.int64) % 7
    sec = t % 86400
    out = np.zeros(len(t), bool)
    for d1, d2, start, end in spans:
        out |= (day >= d1) & (day <= d2) & (sec >= start) & (sec < end)
    return out


def open_seconds(spans: list[tuple[int, int, int, int]] | None, t0: float, t1: float) -> float:
    """Seconds the queue is open between virtual times t0 <= t1."""
    if spans is None:
        return max(0.0, t1 - t0)
    week = 7 * 86400
    # the week's open intervals, merged (spans may overlap)
    raw = sorted((d * 86400 + start, d * 86400 + end)
                 for d1, d2, start, end in spans for d in range(d1, d2 + 1))
    merged: list[list[int]] = []
    for lo, hi in raw:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    weekly = sum(hi - lo for lo, hi in merged)

    def before(t: float) -> float:  # open seconds in [0, t)
        r = t % week
        return (t // week) * weekly + sum(min(max(r - lo, 0.0), hi - lo) for lo, hi in merged)

    return max(0.0, before(t1) - before(t0))
