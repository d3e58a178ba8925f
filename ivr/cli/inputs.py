"""Batch input for the commands that read many menus: files, directories
(recursively), glob patterns and `@list.txt` files of those.

A file named on the command line is always read (if it is not a menu, that
is an input error). A file found in a directory or by a glob is read only if
its content looks like a menu some importer understands (ivr.importers.detect
.sniff); anything else is *skipped*, with the reason, and never an error.
"""
from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import IvrError
from ..model import Where

SNIFF_BYTES = 1_000_000   # JSON flows are sniffed by parsing; bigger files are still tried if their name says menu
MENU_SUFFIXES = (".yaml", ".yml", ".xml", ".vxml", ".json", ".conf")
GLOB_CHARS = "*?["


@dataclass
class Inputs:
    paths: list[str] = field(default_factory=list)      # files to read, in the order given
    skipped: list[dict] = field(default_factory=list)   # {"file", "reason"}: found, not a menu


def _sniff(path: Path) -> str | None:
    """Why `path` (found in a folder or by a glob) is not a menu, or None if it may be one."""
    from ..importers.detect import sniff

    try:
        st = path.stat()
    except OSError as err:
        return f"cannot read it: {err.strerror}"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file"
    if st.st_size == 0:
        return "empty file"
    if st.st_size > SNIFF_BYTES:
        return None if path.suffix.lower() in MENU_SUFFIXES else "large file of no menu type"
    try:
        data = path.read_bytes()
    except OSError as err:
        return f"cannot read it: {err.strerror}"
    if b"\0" in data[:8192]:
        return "binary file"
    fmt = sniff(data.decode("utf-8", errors="replace"), str(path))
    if fmt:
        return None
    if "<macro" in data.decode("utf-8", errors="replace"):
        return "FreeSWITCH phrase macros (prompt texts), not a menu"
    kind = {".yaml": "YAML, but not a menu (no top-level `nodes:` or `start:`)",
            ".yml": "YAML, but not a menu (no top-level `nodes:` or `start:`)",
            ".json": "JSON, but not a Twilio Studio flow or an Amazon Connect flow"}.get(path.suffix.lower())
    return kind or "not a menu ivr can read (no YAML menu, FreeSWITCH, Asterisk, VoiceXML, Twilio or Connect content)"


def _walk(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted, hidden files and folders left out; symlinked folders not followed."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / f for f in sorted(files) if not f.startswith(".")]
    return found


def _list_file(name: str) -> list[str]:
    """Entries of an @list file: one path, folder or glob a line; blank lines and # comments ignored."""
    path = Path(name)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        raise IvrError(f"cannot read the list file: {reason}", "give @FILE with one menu path per line",
                       Where(name, 0, 0), "unreadable") from None
    base = path.parent
    out = []
    for line in text.splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            out.append(entry if Path(entry).is_absolute() else str(base / entry))
    return out


def expand(args: tuple[str, ...] | list[str]) -> Inputs:
    """Files to read and files skipped, from command-line arguments (duplicates read once)."""
    result = Inputs()
    seen: set[str] = set()

    def add(path: str) -> None:
        if path not in seen:
            seen.add(path)
            result.paths.append(path)

    def found(candidates: list[Path]) -> None:
        for path in candidates:
            reason = _sniff(path)
            if reason:
                result.skipped.append({"file": str(path), "reason": reason})
            else:
                add(str(path))

    for arg in args:
        if arg.startswith("@") and len(arg) > 1:
            nested = expand(_list_file(arg[1:]))
            for p in nested.paths:
                add(p)
            result.skipped += nested.skipped
        elif Path(arg).is_dir():
            found(_walk(Path(arg)))
        elif not Path(arg).exists() and any(c in arg for c in GLOB_CHARS):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                add(arg)   # read as a file: "no such file", an input error naming the pattern
            for m in matches:
                found(_walk(Path(m)) if Path(m).is_dir() else [Path(m)])
        else:
            add(arg)
    return result


def report_skipped(inputs: Inputs, quiet: bool = False) -> None:
    """One stderr line per skipped file (they are in the report too); an input error when nothing is left."""
    import click

    if not quiet:
        for s in inputs.skipped:
            click.echo(f"skipped: {s['file']}: {s['reason']}", err=True)
    if not inputs.paths:
        raise IvrError(f"no menu file among the inputs ({len(inputs.skipped)} file(s) skipped as not menus)",
                       "give menu files, folders holding them, globs or @LIST", code="usage")
