"""User-facing errors: each names where (file:line:col), what, and what to do.

The CLI turns any IvrError into one clean message on stderr and exit code 2;
a traceback is only ever shown for a bug in ivr itself.
"""
from __future__ import annotations

from typing import Optional

from .model import Where
from .safe_text import for_terminal


class IvrError(Exception):
    """A problem with the user's input (file, flag, model, audio)."""

    def __init__(self, problem: str, fix: str = "", where: Optional[Where] = None,
                 code: str = "input-error"):
        self.problem = problem
        self.fix = fix
        self.where = where
        self.code = code
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.where}: " if self.where else ""
        tail = f" — {self.fix}" if self.fix else ""
        return for_terminal(f"{head}{self.problem}{tail}")  # file text in a message stays inert

    def to_dict(self) -> dict:
        w = self.where
        return {"code": self.code, "file": w.file if w else None,
                "line": w.line if w else None, "column": w.column if w else None,
                "problem": self.problem, "fix": self.fix}


class MenuError(IvrError):
    """One or more problems in a menu file; `errors` lists them all."""

    def __init__(self, errors: list[IvrError]):
        self.errors = errors
        first = errors[0]
        super().__init__(first.problem, first.fix, first.where, first.code)

    def __str__(self) -> str:
        return "\n".join(IvrError.__str__(e) for e in self.errors)
