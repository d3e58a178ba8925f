"""Knowledge-base files: YAML or CSV entries of question, synonyms, answer, source.

YAML: a mapping with `entries:` (see menus/knowledge/12351-faq.yaml), or a bare
list of entries. CSV: a header row with id, question, synonyms, answer, source
and optionally category; synonyms are separated by `|`.
Every problem names the file and line and says what to fix.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import IvrError, MenuError
from ..matching import tidy
from ..model import Where
from ..files import is_file, read_limited
from ..yaml_source import MAX_BYTES, load_yaml

REQUIRED = ("id", "question", "answer")


@dataclass
class Entry:
    id: str
    question: str
    answer: str
    synonyms: list[str] = field(default_factory=list)
    source: str = ""
    category: str = ""
    where: Where = field(default_factory=Where)


@dataclass
class KnowledgeFile:
    path: str
    entries: list[Entry]
    language: str = ""
    min_confidence: Optional[float] = None


def _entry(raw: object, where: Where, errors: list[IvrError]) -> Optional[Entry]:
    if not isinstance(raw, dict):
        errors.append(IvrError("a knowledge-base entry must be a mapping",
                               "write `- {id: ..., question: ..., answer: ..., source: ...}`", where))
        return None
    missing = [k for k in REQUIRED if not str(raw.get(k) or "").strip()]
    if missing:
        errors.append(IvrError(f"entry {raw.get('id', '?')!r} lacks {', '.join(missing)}",
                               "every entry needs id, question and answer", where))
        return None
    synonyms = raw.get("synonyms") or []
    if isinstance(synonyms, str):
        synonyms = [s for s in synonyms.split("|")]
    if not isinstance(synonyms, list):
        errors.append(IvrError(f"synonyms of entry {raw['id']!r} must be a list", "write [a, b, c]", where))
        return None
    return Entry(id=str(raw["id"]).strip(), question=str(raw["question"]).strip(),
                 answer=tidy(str(raw["answer"])),
                 synonyms=[str(s).strip() for s in synonyms if str(s).strip()],
                 source=str(raw.get("source") or "").strip(),
                 category=str(raw.get("category") or "").strip(), where=where)


def _from_yaml(path: str, errors: list[IvrError]) -> KnowledgeFile:
    data, problems = load_yaml(path)
    errors.extend(problems)
    head: dict = {}
    items = data
    if isinstance(data, dict):
        head, items = data, data.get("entries")
    if not isinstance(items, list):
        raise IvrError("a knowledge base needs a list of entries", "add `entries:` with a list",
                       Where(path, 1, 1))
    wheres = getattr(items, "item_where", [Where(path, 0, 0)] * len(items))
    entries = [e for raw, w in zip(items, wheres) if (e := _entry(raw, w, errors))]
    threshold = head.get("min_confidence")
    if threshold is not None and not (isinstance(threshold, (int, float)) and 0 <= threshold <= 1):
        errors.append(IvrError(f"min_confidence {threshold!r} must be a number from 0 to 1",
                               "e.g. min_confidence: 0.35", Where(path, 1, 1)))
        threshold = None
    return KnowledgeFile(path, entries, str(head.get("language", "")), threshold)


def _from_csv(path: str, errors: list[IvrError]) -> KnowledgeFile:
    data = read_limited(path, MAX_BYTES)   # a regular file of bounded size (ivr.files)
    try:
        with io.StringIO(data.decode("utf-8-sig"), newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [k for k in REQUIRED if k not in (reader.fieldnames or [])]
            if missing:
                raise IvrError(f"CSV header lacks {', '.join(missing)}",
                               "first row: id,question,synonyms,answer,source,category",
                               Where(path, 1, 1))
            entries = [e for row in reader
                       if (e := _entry(row, Where(path, reader.line_num, 1), errors))]
    except (UnicodeDecodeError, csv.Error) as err:
        raise IvrError(f"cannot read CSV: {err}", "save the file as UTF-8 CSV", Where(path, 0, 0)) from None
    return KnowledgeFile(path, entries)


def load_knowledge(path: str | Path) -> KnowledgeFile:
    """Read and check a knowledge-base file; raise MenuError listing every problem."""
    path = str(path)
    if not is_file(path):
        raise IvrError(f"{path}: no such knowledge-base file",
                       "check `knowledge_base:` (relative to the menu file)", Where(path, 0, 0))
    errors: list[IvrError] = []
    kb = _from_csv(path, errors) if path.lower().endswith(".csv") else _from_yaml(path, errors)
    seen: dict[str, Where] = {}
    for entry in kb.entries:
        if entry.id in seen:
            errors.append(IvrError(f"entry id {entry.id!r} is used twice (first at line "
                                   f"{seen[entry.id].line})", "give each entry its own id", entry.where))
        seen.setdefault(entry.id, entry.where)
    if not kb.entries and not errors:
        errors.append(IvrError("the knowledge base has no entries", "add at least one entry",
                               Where(path, 1, 1)))
    if errors:
        raise MenuError(errors)
    return kb
