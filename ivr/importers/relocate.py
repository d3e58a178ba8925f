"""Files an imported menu names (knowledge bases) relative to where its YAML
is written, so `ivr import -o elsewhere/x.yaml` still loads."""
from __future__ import annotations

import os
from pathlib import Path

from ..files import inside_folder
from ..model import Menu
from . import report as R
from .report import ImportNote


def relocate_files(menu: Menu, source: str, output: str | None) -> None:
    """Knowledge-base paths are relative to `source`; rewrite them relative to
    `output` (stdout: left as they are). One that is not found next to the
    source is left out with a note — the YAML would not load with it."""
    for node in menu.nodes.values():
        kb = node.knowledge_base
        if not kb:
            continue
        found = inside_folder(Path(source).parent, kb)
        if found is not None and found.is_file():
            if not output:
                continue
            relative = os.path.relpath(found, Path(output).resolve().parent)
            if inside_folder(Path(output).resolve().parent, relative):
                node.knowledge_base = relative
                continue
            what = f"knowledge base {kb!r} is not in the folder of {output} (or below it), where a menu may " \
                   "read files; left out of the YAML (copy it beside the YAML and add `knowledge_base:`)"
        else:
            what = f"knowledge base {kb!r} not found in the folder of {source}; left out of the YAML (add " \
                   "`knowledge_base:` to the node once the file is at hand)"
        node.knowledge_base = ""
        if not (node.prompt.strip() or node.answer.strip()):
            node.kind, node.note = "unknown", what
        menu.import_report.append(ImportNote(R.UNMAPPED, what, node.where, node.id))
