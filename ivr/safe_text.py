"""Text from a file someone else wrote, on its way to a terminal or an XML file.

The one guard for such text: control characters (ESC sequences that retitle
or clear a terminal, NUL, DEL, C1 codes) are shown as visible `\\xNN`
escapes on a terminal and dropped from XML (XML 1.0 cannot hold them);
rich markup in the text (`[/x]`, `[link=...]`) is escaped so it prints as
written instead of crashing the report or becoming a live hyperlink.
"""
from __future__ import annotations

import re
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls; bidi overrides and the
# Unicode line/paragraph separators that reorder or break a terminal line
_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
# what XML 1.0 does not allow at all (tab, newline, carriage return are fine)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def for_terminal(text: str) -> str:
    return _TERMINAL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256
                         else f"\\u{ord(m.group()):04x}", text)


def for_xml(text: str) -> str:
    return _NOT_XML.sub("", text)


def for_rich(data: Any, literal: frozenset = frozenset()) -> Any:
    """A copy of report data (dicts, lists, strings) safe to interpolate in
    rich markup; values under keys in `literal` (printed with markup off)
    only lose their control characters."""
    from rich.markup import escape  # rich only when a report is drawn
    if isinstance(data, str):
        return for_terminal(data)
    if isinstance(data, dict):
        return {k: (v if not isinstance(v, str) else for_terminal(v) if k in literal else escape(for_terminal(v)))
                if not isinstance(v, (dict, list)) else for_rich(v, literal) for k, v in data.items()}
    if isinstance(data, list):
        return [escape(for_terminal(v)) if isinstance(v, str) else for_rich(v, literal) for v in data]
    return data
