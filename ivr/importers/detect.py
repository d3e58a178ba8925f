"""Which platform a menu file comes from, sniffed from its content.

The extension is only a tie-breaker: FreeSWITCH and VoiceXML are both .xml
in the wild, Studio and Connect are both .json.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import IvrError
from ..model import Where

FORMATS = ("yaml", "freeswitch", "asterisk", "vxml", "twilio", "connect")
ALIASES = {"yml": "yaml", "voicexml": "vxml", "amazon-connect": "connect", "amazon_connect": "connect",
           "studio": "twilio", "fs": "freeswitch", "extensions.conf": "asterisk"}


def _first_tag(text: str) -> str:
    """Name of the first element (comments, PIs and DOCTYPE skipped). One
    pass with find(): an unclosed `<!--` or `<?` ends the search instead of
    making every later `<` rescan the rest of the file (quadratic)."""
    i = 0
    while True:
        i = text.find("<", i)
        if i < 0:
            return ""
        for opener, closer in (("<!--", "-->"), ("<?", "?>"), ("<!", ">")):
            if text.startswith(opener, i):
                end = text.find(closer, i + len(opener))
                if end < 0:
                    return ""
                i = end + len(closer)
                break
        else:
            m = TAG.match(text, i)
            return m.group(1).rsplit(":", 1)[-1] if m else ""


TAG = re.compile(r"<\s*([\w:.-]+)")
# `[^<>]*`: a tag never holds `<`, so a `<menu` that never closes costs one scan to the next `<`
FS_MENU = re.compile(r"<menu\b[^<>]*\bname\s*=")
VXML_DIALOG = re.compile(r"<(?:menu|form)\b")


def sniff(text: str, name: str = "") -> str | None:
    """The format of `text`, or None if it looks like none of ours."""
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<"):
        tag = _first_tag(body)
        if tag == "vxml" or "http://www.w3.org/2001/vxml" in body[:2000]:
            return "vxml"
        if FS_MENU.search(body) or tag in ("configuration",) and "ivr.conf" in body[:500]:
            return "freeswitch"
        if VXML_DIALOG.search(body):
            return "vxml"
        return None
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):   # the importer then names the problem
            return None
        if isinstance(data, dict):
            if "states" in data and ("initial_state" in data or "flags" in data):
                return "twilio"
            if "Actions" in data or ("Content" in data and "Actions" in str(data.get("Content"))):
                return "connect"
        return None
    if re.search(r"^[ \t]*\[[^\]\n]+\]", body, re.M) and re.search(r"^[ \t]*(exten|same)[ \t]*=>?", body, re.M):
        return "asterisk"
    if re.search(r"^(nodes|start)\s*:", body, re.M):
        return "yaml"
    return None


def _json_error(path: str | Path, text: str) -> None:
    """IvrError at the line:col of a JSON syntax error, for a file that is meant to be JSON."""
    try:
        json.loads(text.lstrip("\ufeff"))
    except RecursionError:
        return
    except ValueError as err:
        line, col = getattr(err, "lineno", 1), getattr(err, "colno", 1)
        msg = getattr(err, "msg", str(err))
        raise IvrError(f"malformed JSON: {msg}", "fix the JSON syntax at this place",
                       Where(str(path), line, col), "bad-json") from None


def detect(path: str | Path, text: str) -> str:
    """Format name for `path`; IvrError saying how to name one when unsure."""
    fmt = sniff(text, str(path))
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower().lstrip(".")
    if not text.strip("\ufeff \t\r\n"):
        raise IvrError("the file is empty", "give a menu file", Where(str(path), 1, 1), "unknown-format")
    if suffix == "json" or (suffix not in ("yaml", "yml") and text.lstrip("\ufeff \t\r\n").startswith("{")):
        _json_error(path, text)
    by_ext = {"yaml": "yaml", "yml": "yaml", "vxml": "vxml", "conf": "asterisk"}.get(suffix)
    if by_ext:
        return by_ext
    if "<macro" in text:
        raise IvrError("this is a FreeSWITCH phrase-macro file (prompt texts), not a menu",
                       "import the <menu> file; the phrases are found next to it or given with --phrases",
                       Where(str(path), 1, 1), "unknown-format")
    platforms = ", ".join(f for f in FORMATS if f != "yaml")
    raise IvrError("cannot tell which platform this file is from",
                   f"if it is a menu from an IVR platform, name the platform: `ivr import {path} --from FORMAT "
                   f"-o menu.yaml` (FORMAT: {platforms}), then use menu.yaml", Where(str(path), 1, 1), "unknown-format")


def normalise_format(fmt: str) -> str:
    fmt = ALIASES.get(fmt.lower(), fmt.lower())
    if fmt not in FORMATS:
        raise IvrError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}", code="usage")
    return fmt
