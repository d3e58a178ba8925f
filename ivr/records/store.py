"""Call records in SQLite (path from config.yaml `database`).

Each call is written in its own transaction, so a process killed mid-run
loses at most the call in flight; a simulation run is one transaction (its
summary plus a seeded sample of its calls). Work orders live in the same
file (ivr.orders.store).
"""
from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional

from ..errors import IvrError
from ..model import Where
from ..orders.store import ensure_schema as ensure_orders_schema

SCHEMA = """
CREATE TABLE IF NOT EXISTS calls (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    source TEXT NOT NULL,            -- call | simulate | live
    run_id INTEGER,                  -- simulation_runs.id for simulated calls
    menu TEXT NOT NULL,
    outcome TEXT NOT NULL,           -- human, hangup, abandoned_menu, caller_hangup, ...
    end_node TEXT,
    duration_s REAL NOT NULL,        -- virtual seconds from answer to end
    time_to_human_s REAL,            -- set when the caller reached a person
    path TEXT NOT NULL,              -- JSON list of node ids in order
    node_times TEXT NOT NULL,        -- JSON {node: seconds spent there}
    asr TEXT NOT NULL,               -- JSON list of {node, text, confidence}
    collected TEXT NOT NULL,         -- JSON {input name: value}
    category TEXT,                   -- work-order category when the call created one
    region TEXT                      -- area code or region the caller gave
);
CREATE INDEX IF NOT EXISTS calls_menu ON calls(menu, source);
CREATE TABLE IF NOT EXISTS simulation_runs (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,
    menu TEXT NOT NULL,
    calls INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    summary TEXT NOT NULL            -- JSON: what `ivr simulate --format json` prints
);
"""
REGION_KEYS = ("region", "area_code", "city", "province")


def database_path(config: dict, override: Optional[str] = None) -> str:
    """--db flag, else $IVR_DATABASE, else config.yaml `database`."""
    return str(override or os.environ.get("IVR_DATABASE") or config.get("database") or "ivr.db")


def connect(path: str, create: bool = True) -> sqlite3.Connection:
    """Open (creating if needed) the records database. Commands that only
    read (`ivr report`, `ivr orders`) pass create=False: a mistyped path is
    then an error, not a new empty database that reports "0 calls"."""
    if not create and str(path) != ":memory:" and not Path(path).is_file():
        raise IvrError(f"no records database at {path}",
                       "check --db / $IVR_DATABASE / `database:` in config.yaml; "
                       "`ivr call` and `ivr simulate` create it", Where(str(path), 0, 0), "unreadable")
    try:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30)
        conn.executescript(SCHEMA)
        ensure_orders_schema(conn)
    except sqlite3.DatabaseError as err:
        raise IvrError(f"cannot use {path} as the records database: {err}",
                       "give another --db path or fix `database:` in config.yaml",
                       Where(str(path), 0, 0)) from None
    conn.row_factory = sqlite3.Row
    return conn


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class CallRecord:
    menu: str
    outcome: str
    end_node: Optional[str]
    duration_s: float
    time_to_human_s: Optional[float] = None
    path: list = field(default_factory=list)
    node_times: dict = field(default_factory=dict)
    asr: list = field(default_factory=list)
    collected: dict = field(default_factory=dict)
    category: Optional[str] = None
    region: Optional[str] = None


def summarise_call(call: dict) -> CallRecord:
    """A CallRecord from the engine's `Call.to_dict()`."""
    events = call.get("events", [])
    path, node_times, asr = [], {}, []
    category = None
    entered: Optional[tuple[str, float]] = None
    for event in events:
        if event["type"] == "enter":
            if entered:
                node_times[entered[0]] = round(node_times.get(entered[0], 0) + event["t"] - entered[1], 2)
            entered = (event["node"], event["t"])
            path.append(event["node"])
        elif event["type"] == "say":
            asr.append({"node": event["node"], "text": event.get("text", ""),
                        "confidence": event.get("confidence")})
        elif event["type"] == "work_order":
            category = event.get("category")
    end = float(call.get("elapsed_s", events[-1]["t"] if events else 0.0))
    if entered:
        node_times[entered[0]] = round(node_times.get(entered[0], 0) + end - entered[1], 2)
    collected = dict(call.get("collected", {}))
    region = next((str(collected[k]) for k in REGION_KEYS if collected.get(k)), None)
    human = call.get("outcome") in ("human", "fallback_agent")  # the guard's fallback line is a person too
    final = call.get("final_node")
    if str(final).startswith("@") and path:  # @disconnected: where the caller was when the line dropped
        final = path[-1]
    return CallRecord(menu=call.get("menu", "?"), outcome=call.get("outcome", "in_progress"),
                      end_node=final, duration_s=round(end, 2),
                      time_to_human_s=round(end, 2) if human else None, path=path,
                      node_times=node_times, asr=asr, collected=collected, category=category,
                      region=region)


def _row(rec: CallRecord, source: str, run_id: Optional[int]) -> tuple:
    return (now(), source, run_id, rec.menu, rec.outcome, rec.end_node, rec.duration_s,
            rec.time_to_human_s, json.dumps(rec.path, ensure_ascii=False),
            json.dumps(rec.node_times, ensure_ascii=False), json.dumps(rec.asr, ensure_ascii=False),
            json.dumps(rec.collected, ensure_ascii=False), rec.category, rec.region)


INSERT = ("INSERT INTO calls (recorded_at, source, run_id, menu, outcome, end_node, duration_s, "
          "time_to_human_s, path, node_times, asr, collected, category, region) "
          "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)")


def record_call(conn: sqlite3.Connection, rec: CallRecord, source: str = "call") -> int:
    """Write one call in its own transaction; returns its id."""
    with conn:
        return conn.execute(INSERT, _row(rec, source, None)).lastrowid


def record_simulation(conn: sqlite3.Connection, summary: dict, sample: Iterable[CallRecord]) -> int:
    """Write a simulation run's summary and a sample of its calls, atomically."""
    with conn:
        run_id = conn.execute(
            "INSERT INTO simulation_runs (recorded_at, menu, calls, seed, summary) VALUES (?,?,?,?,?)",
            (now(), summary["menu"], summary["calls"], summary["seed"],
             json.dumps(summary, ensure_ascii=False))).lastrowid
        conn.executemany(INSERT, (_row(rec, "simulate", run_id) for rec in sample))
    return run_id
