"""Audit reports: text (rich), json, csv, sarif (2.1.0) and html, all built
from one envelope (see `envelope`): the menus audited, the files skipped as
not menus, the files that could not be audited, and the baseline comparison."""
from __future__ import annotations

import json
from typing import Iterable, Optional

from .. import __version__

FORMATS = ("text", "json", "csv", "sarif", "html")
ENVELOPE_VERSION = 1


def verdict(r: dict) -> str:
    """pass, fail, not checked, or error (the file could not be audited)."""
    if "error" in r:
        return "error"
    if r.get("not_checked"):
        return "not checked"
    return "pass" if r["passed"] else "fail"


def envelope(results: list[dict], skipped: Iterable[dict] = (), packs: Iterable[str] = (),
             baseline: Optional[dict] = None) -> dict:
    """The one shape every report is made from, whatever the number of files.
    `results` come from ivr.audit.audit_files; `baseline` from reports.baseline.load."""
    menus = [r for r in results if "error" not in r]
    errors = [r for r in results if "error" in r]
    skipped = list(skipped)
    doc = {"format": "ivr-audit", "version": ENVELOPE_VERSION, "ivr": __version__, "packs": list(packs),
           "summary": {"menus": len(menus), "passed": sum(verdict(r) == "pass" for r in menus),
                       "failed": sum(verdict(r) == "fail" for r in menus),
                       "not_checked": sum(verdict(r) == "not checked" for r in menus),
                       "skipped": len(skipped), "errors": len(errors)},
           "menus": menus, "skipped": skipped, "errors": errors, "baseline": None}
    if baseline is not None:
        from .baseline import compare
        compare(doc, baseline)
    return doc


def public(doc: dict) -> dict:
    """`doc` without the keys only the HTML page uses (those starting with _)."""
    return dict(doc, menus=[{k: v for k, v in m.items() if not k.startswith("_")} for m in doc["menus"]])


def dumps(data) -> str:
    """Indented JSON text (2 spaces, UTF-8). orjson writes the same bytes as
    json.dumps(ensure_ascii=False, indent=2) 15x quicker: with an indent, the
    standard library falls back to pure Python, which was a quarter of a
    1000-menu audit, done by the parent alone while --jobs workers waited."""
    try:
        import orjson
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except (ImportError, TypeError):   # not installed, or a value only json can write
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def render(doc: dict, fmt: str, color: bool = False, quiet: bool = False) -> str:
    if fmt == "json":
        return dumps(public(doc))
    if fmt == "csv":
        from .csv import to_csv
        return to_csv(doc)
    if fmt == "sarif":
        from .sarif import sarif
        return dumps(sarif(doc))
    if fmt == "html":
        from .html import html
        return html(doc)
    from .text import text
    return text(doc, color=color, quiet=quiet)
