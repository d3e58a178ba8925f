"""Audit reports: text (rich), json, sarif (2.1.0) and html, all built from
the plain result dicts of ivr.audit.audit_files."""
from __future__ import annotations

import json

FORMATS = ("text", "json", "sarif", "html")


def render(results: list[dict], fmt: str, color: bool = False) -> str:
    if fmt == "json":
        return json.dumps(results if len(results) != 1 else results[0], ensure_ascii=False, indent=2) + "\n"
    if fmt == "sarif":
        from .sarif import sarif
        return json.dumps(sarif(results), ensure_ascii=False, indent=2) + "\n"
    if fmt == "html":
        from .html import html
        return html(results)
    from .text import text
    return text(results, color=color)
