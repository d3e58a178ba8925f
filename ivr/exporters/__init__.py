"""Write a menu in a platform's format so a design audited here can be
deployed there. Each exporter returns (text, notes): notes say what the
target platform cannot express and how it was approximated."""
from __future__ import annotations

import importlib

from ..errors import IvrError
from ..model import Menu
from ..safe_text import for_xml

TARGETS = {"vxml": "voicexml", "voicexml": "voicexml", "freeswitch": "freeswitch"}


def export_menu(menu: Menu, to: str) -> tuple[str, list[str]]:
    if to not in TARGETS:
        raise IvrError(f"cannot export to {to!r}", f"use one of: {', '.join(sorted(set(TARGETS)))}", code="usage")
    text, notes = importlib.import_module(f"{__name__}.{TARGETS[to]}").export(menu)
    return for_xml(text), notes   # both targets are XML: drop what XML 1.0 cannot hold (NUL, ESC, ...)
