"""Shared bits of the speech tests: where the real recordings are."""
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SPEECH = SHARED / "speech"
FSDD = SPEECH / "fsdd"
DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def shared(path: str) -> Path:
    """A file under ../shared; its absence is a broken checkout, never a skip."""
    full = SHARED / path
    assert full.exists(), f"{full} is missing: the shared speech data must sit at ../shared"
    return full
