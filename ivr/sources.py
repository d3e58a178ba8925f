"""Open any menu file the user gives: our YAML, or a platform's file through
the importers (which also read our YAML)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from .errors import IvrError
from .model import Menu, Where


def open_menu(path: str, fmt: Optional[str] = None, config: Optional[dict] = None) -> Menu:
    if not Path(path).exists():
        raise IvrError("no such file", "check the path", Where(path, 0, 0), "unreadable")
    from .importers import load_any
    return load_any(path, fmt=fmt, config=config)
