"""Is this the same prompt again? An audio fingerprint that survives G.711,
line noise, level changes and a few milliseconds of offset.

The fingerprint is the log energy in 16 bands of the telephone band
(300-3400 Hz) every 8 ms, floored 45 dB under the loudest frame so that line
noise in the pauses does not count. Two stretches are compared window by
window (0.32 s, about a word): each window's correlation, and the *worst*
window decides, so prompts that differ in one word ("press 2" / "press 3")
are told apart however long the part they share. Measured on espeak-ng and
Asterisk prompts through μ-law with noise and offsets (15 prompts x 4 offsets):
the same prompt's worst
window stayed at 0.968 or more, different prompts reached at most 0.67
("press 2" vs "press 3" at the very end); the line is drawn at 0.8.
Only windows where both sides speak are judged: over a loaded line (sipp's
RTP on this 2-core machine) packets go missing, and a hole against speech is
not a different word (a 21 s recording heard over SIP: 0.0 before, 0.98 after).
A prompt replayed after "invalid option" or after an intro *ends with* the
known prompt: `ends_with` finds that.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .line import RATE

FRAME, HOP, BANDS = 256, 64, 16    # 32 ms frames every 8 ms
FLOOR_DB = 45                      # quieter than this under the loudest frame counts as silence
SAME_CORR = 0.8                    # worst-window correlation above which two stretches are one prompt
MAX_LAG = 25                       # frames of misalignment searched (0.2 s)
MIN_FRAMES = 100                   # 0.8 s: shorter sound is too little to tell prompts apart
WINDOW = 40                        # frames (0.32 s, about a word) per compared window


def fingerprint(samples: np.ndarray) -> np.ndarray:
    """Log band energies (frames x BANDS, float32) of `samples` at RATE."""
    from scipy.signal import stft

    if len(samples) < FRAME * 2:
        return np.zeros((0, BANDS), dtype=np.float32)
    freqs, _, spec = stft(samples, fs=RATE, nperseg=FRAME, noverlap=FRAME - HOP, boundary=None, padded=False)
    power = np.abs(spec) ** 2
    edges = np.geomspace(300, 3400, BANDS + 1)
    bands = np.stack([power[(freqs >= lo) & (freqs < hi)].sum(axis=0) for lo, hi in zip(edges, edges[1:])])
    db = 10 * np.log10(bands.T + 1e-12)
    return np.maximum(db, db.max() - FLOOR_DB).astype(np.float32)


def _worst_window(a: np.ndarray, b: np.ndarray) -> float:
    """Lowest correlation of a and b (same length) over any WINDOW frames."""
    n = len(a)
    w = min(WINDOW, n)
    sums = []
    for x in (a, b, a * a, b * b, a * b):
        c = np.concatenate([[0.0], np.cumsum(x.sum(axis=1, dtype=np.float64))])
        sums.append(c[w:] - c[:-w])
    k = w * a.shape[1]
    sa, sb, saa, sbb, sab = sums
    cov = sab - sa * sb / k
    var = np.sqrt(np.maximum(saa - sa * sa / k, 1e-9) * np.maximum(sbb - sb * sb / k, 1e-9))
    corr = cov / var
    # a window where either side is mostly quiet (a pause, or packets the line lost)
    # says nothing about the words: judge the windows where both speak
    both = _voiced(a, w) & _voiced(b, w)
    return float(np.min(corr[both])) if both.any() else float(np.min(corr))


def _voiced(x: np.ndarray, w: int) -> np.ndarray:
    """Per window of `w` frames: are at least half its frames 10 dB over the floor?"""
    loud = (x.mean(axis=1) > x.min() + 10).astype(np.float64)
    c = np.concatenate([[0.0], np.cumsum(loud)])
    return (c[w:] - c[:-w]) >= w / 2


def similarity(a: np.ndarray, b: np.ndarray, align_end: bool = False) -> float:
    """Best (over MAX_LAG frames of offset) worst-window correlation of `b`
    laid over `a` from the start, or with `align_end` at the end of `a`."""
    if min(len(a), len(b)) < MIN_FRAMES:
        return 0.0
    best = 0.0
    for lag in range(-MAX_LAG, MAX_LAG + 1):
        if align_end:
            start = len(a) - len(b) + lag
            sa, sb = (a[start:], b) if start >= 0 else (a, b[-start:])
            m = min(len(sa), len(sb))
            sa, sb = sa[:m], sb[:m]
        else:
            sa, sb = (a[lag:], b) if lag >= 0 else (a, b[-lag:])
            m = min(len(sa), len(sb))
            sa, sb = sa[:m], sb[:m]
        if m >= MIN_FRAMES:
            best = max(best, _worst_window(sa, sb))
    return best


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """One prompt heard twice: lengths within 10 % (or 0.4 s) and every window alike."""
    if abs(len(a) - len(b)) > max(0.1 * max(len(a), len(b)), 0.4 * RATE / HOP):
        return False
    return similarity(a, b) > SAME_CORR


def ends_with(longer: np.ndarray, shorter: np.ndarray) -> bool:
    """`longer` is something else followed by the whole of `shorter`
    ("Sorry, that is not a valid option." + the menu; an intro + the menu)."""
    if len(shorter) < MIN_FRAMES or len(longer) <= len(shorter) + MAX_LAG:
        return False
    return similarity(longer, shorter, align_end=True) > SAME_CORR


def match(fp: np.ndarray, known: dict[str, np.ndarray]) -> Optional[tuple[str, str]]:
    """(node id, how) of the known prompt `fp` is: "same"; "replay" (fp is
    something else, then that prompt); "suffix" (that prompt was something
    else, then fp). The closest match, None if none."""
    best: Optional[tuple[float, str, str]] = None
    for nid, other in known.items():
        tries = []
        if same(fp, other):
            tries.append((similarity(fp, other), "same"))
        elif ends_with(fp, other):
            tries.append((similarity(fp, other, align_end=True), "replay"))
        elif ends_with(other, fp):
            tries.append((similarity(other, fp, align_end=True), "suffix"))
        for score, how in tries:
            if best is None or score > best[0]:
                best = (score, nid, how)
    return (best[1], best[2]) if best else None
