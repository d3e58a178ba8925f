"""Audit history in SQLite (`ivr audit --db audits.db`), so that `ivr report
--audits audits.db` can show how each company's menu did over the runs.

A run is written in one transaction (the run, each menu with its content
hash, verdicts and figures, each finding): a run killed half-way leaves no
half run behind. Files that could not be audited are kept with the verdict
`error` and the message, so a trend shows when a file stopped loading.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from . import __version__
from .errors import IvrError
from .model import Where

SCHEMA = """
CREATE TABLE IF NOT EXISTS audit_runs (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    ivr_version TEXT NOT NULL,
    packs TEXT NOT NULL                -- JSON list of the packs asked for
);
CREATE TABLE IF NOT EXISTS audit_menus (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES audit_runs(id),
    source TEXT NOT NULL,              -- the file as given
    menu TEXT,                         -- menu id (null when the file could not be audited)
    title TEXT,
    content_sha256 TEXT,
    verdict TEXT NOT NULL,             -- pass | fail | not checked | error
    verdicts TEXT,                     -- JSON {pack: pass | fail | not applicable}
    errors INTEGER, warnings INTEGER,
    max_steps_key INTEGER, max_steps_voice INTEGER,
    seconds_to_person REAL,
    message TEXT                       -- why the file could not be audited
);
CREATE INDEX IF NOT EXISTS audit_menus_menu ON audit_menus(menu, run_id);
CREATE TABLE IF NOT EXISTS audit_findings (
    menu_row INTEGER NOT NULL REFERENCES audit_menus(id),
    rule TEXT NOT NULL, pack TEXT NOT NULL, severity TEXT NOT NULL,
    node TEXT, line INTEGER, message TEXT NOT NULL
);
"""


def _open(path: str, create: bool) -> sqlite3.Connection:
    if not create and not Path(path).is_file():
        raise IvrError(f"no audit history at {path}", "`ivr audit ... --db FILE` writes one",
                       Where(path, 0, 0), "unreadable")
    try:
        conn = sqlite3.connect(path, timeout=30)
        conn.executescript(SCHEMA)
    except sqlite3.Error as err:
        raise IvrError(f"cannot use {path} as the audit history: {err}", "give another --db path",
                       Where(path, 0, 0), "unreadable") from None
    conn.row_factory = sqlite3.Row
    return conn


def save_run(path: str, doc: dict) -> int:
    """Store the run of reports.envelope `doc`; returns its run id."""
    from .reports import verdict

    conn = _open(path, create=True)
    try:
        with conn:   # one transaction: all of the run or nothing
            run = conn.execute("INSERT INTO audit_runs (recorded_at, ivr_version, packs) VALUES (?, ?, ?)",
                               (datetime.now(timezone.utc).isoformat(timespec="seconds"), __version__,
                                json.dumps(doc["packs"]))).lastrowid
            for m in doc["menus"]:
                met = m["metrics"]
                row = conn.execute(
                    "INSERT INTO audit_menus (run_id, source, menu, title, content_sha256, verdict, verdicts, "
                    "errors, warnings, max_steps_key, max_steps_voice, seconds_to_person) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (run, m["source"], m["menu"], m["title"], m.get("content_sha256"), verdict(m),
                     json.dumps(m.get("verdicts", {})), m["counts"]["error"], m["counts"]["warning"],
                     met.get("max_steps_to_human_key"), met.get("max_steps_to_human_voice"),
                     met.get("time_to_human_from_start_s"))).lastrowid
                conn.executemany("INSERT INTO audit_findings VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [(row, f["rule"], f["pack"], f["severity"], f["node"], f["where"].get("line"),
                                   f["message"]) for f in m["findings"]])
            conn.executemany("INSERT INTO audit_menus (run_id, source, verdict, message) VALUES (?, ?, 'error', ?)",
                             [(run, e["file"], e["message"]) for e in doc["errors"]])
        return run
    except sqlite3.Error as err:
        raise IvrError(f"cannot write the audit history {path}: {err}", "check the disk and the file's permissions",
                       Where(path, 0, 0), "unwritable") from None
    finally:
        conn.close()


def trend(path: str, menu: Optional[str] = None) -> list[dict]:
    """Per company's menu (menu id; the file for runs that could not load it), every run in order."""
    conn = _open(path, create=False)
    try:
        rows = conn.execute(
            "SELECT r.id AS run, r.recorded_at, m.source, m.menu, m.title, m.content_sha256, m.verdict, m.verdicts, "
            "m.errors, m.warnings, m.max_steps_key, m.max_steps_voice, m.seconds_to_person, m.message "
            "FROM audit_menus m JOIN audit_runs r ON r.id = m.run_id "
            "WHERE ? IS NULL OR m.menu = ? OR m.source = ? ORDER BY r.id, m.id", (menu, menu, menu)).fetchall()
    except sqlite3.Error as err:
        raise IvrError(f"cannot read the audit history {path}: {err}", "give a file `ivr audit --db` wrote",
                       Where(path, 0, 0), "unreadable") from None
    finally:
        conn.close()
    out: dict = {}
    menu_of: dict = {}   # a file that stopped loading stays in its company's trend
    for r in rows:
        name = menu_of.setdefault(r["source"], r["menu"]) if r["menu"] else menu_of.get(r["source"], r["source"])
        item = out.setdefault(name, {"menu": r["menu"], "title": r["title"], "runs": []})
        item["menu"] = item["menu"] or r["menu"]
        item["title"] = r["title"] or item["title"]
        previous = item["runs"][-1]["content_sha256"] if item["runs"] else None
        item["runs"].append(dict(r, verdicts=json.loads(r["verdicts"] or "{}"),
                                 file_changed=previous is not None and previous != r["content_sha256"]))
    return list(out.values())


def render_trend(menus: list[dict]) -> str:
    lines = []
    for m in menus:
        lines.append(f"{m['title'] or m['menu']} ({m['menu'] or 'never loaded'}): {len(m['runs'])} run(s)")
        for r in m["runs"]:
            figures = (f"{r['errors']} error(s), {r['warnings']} warning(s), steps to a person key "
                       f"{r['max_steps_key']} / voice {r['max_steps_voice']}, {r['seconds_to_person']} s"
                       if r["verdict"] != "error" else r["message"])
            lines.append(f"  run {r['run']} {r['recorded_at']}  {r['verdict']:<11} {figures}"
                         + ("  (file changed)" if r["file_changed"] else ""))
    return "\n".join(lines) if lines else "no audit runs recorded"


def render_trend_html(menus: list[dict], path: str) -> str:
    """One self-contained page; Jinja2 autoescaping for every menu string."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("ivr", "templates"), autoescape=select_autoescape(default=True))
    return env.get_template("audit_trend.html").render(menus=menus, path=path)
