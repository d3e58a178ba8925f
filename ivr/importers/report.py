"""What an import mapped and what it could not: one note per decision.

Every importer fills an ImportReport and attaches its notes to the menu
(`menu.import_report`), so `ivr import` and `ivr audit` can show them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ..model import Where

# what a note is about
MAPPED = "mapped"          # a construct turned into the model faithfully
UNMAPPED = "unmapped"      # could not be expressed: an `unknown` node or dropped detail
ASSUMED = "assumed"        # a documented reading of the platform's semantics worth checking
TRANSFER = "transfer"      # a transfer to an external number/extension (not a known person)
SKIPPED = "skipped"        # no effect on the caller's path (logging, voice choice, SMS widgets)


@dataclass
class ImportNote:
    status: str
    what: str
    where: Where = field(default_factory=Where)
    node: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        d["where"] = str(self.where)
        return d

    def __str__(self) -> str:
        at = f" (node {self.node})" if self.node else ""
        return f"{self.where}: {self.status}: {self.what}{at}"


@dataclass
class ImportReport:
    file: str
    fmt: str
    notes: list[ImportNote] = field(default_factory=list)

    def add(self, status: str, what: str, where: Where | None = None, node: str = "") -> None:
        self.notes.append(ImportNote(status, what, where or Where(self.file), node))
