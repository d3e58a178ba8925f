"""Files an imported menu names (knowledge bases) relative to where its YAML
is written, so `ivr import -o elsewhere/x.yaml` still loads."""
from __future__ import annotations

import os
from pathlib import Path

from ..model import Menu
from . import report as R
from .report import ImportNote


def relocate_files(menu: Menu, source: str, output: str | None) -> None:
    """Knowledge-base paths are relative to `source`; rewrite them relative to
    `output` (stdout: left as they are). One that is not found next to the
    source is left out with a note — the YAML would not load with it."""
    for node in menu.nodes.values():
        kb = node.knowledge_base
        if not kb or Path(kb).is_absolute():
            continue
        found = Path(source).parent / kb
        if found.is_file():
            if output:
                node.knowledge_base = os.path.relpath(found.resolve(), Path(output).resolve().parent)
            continue
        node.knowledge_base = ""
        what = f"knowledge base {kb!r} not found next to {source}; left out of the YAML (add `knowledge_base:` " \
               "to the node once the file is at hand)"
        if not (node.prompt.strip() or node.answer.strip()):
            node.kind, node.note = "unknown", what
        menu.import_report.append(ImportNote(R.UNMAPPED, what, node.where, node.id))
