"""Work orders and early-warning alerts in the records database (SQLite).

Times are real UTC timestamps (a case lives in the real world); every
function takes `now` so tests and replays can set the clock.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Optional

from ..errors import IvrError
from ..matching import normalise
from .rules import Rules, load_rules
from .workflow import STATES, Flow

SCHEMA = """
CREATE TABLE IF NOT EXISTS work_orders (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    call_id INTEGER,                 -- calls.id of the call that created it
    menu TEXT,
    category TEXT NOT NULL,
    region TEXT,
    union_name TEXT NOT NULL,        -- where it was dispatched
    employer TEXT,                   -- as the caller said it
    employer_key TEXT,               -- normalised, for early warning
    facts TEXT NOT NULL,             -- JSON: what the caller entered
    said TEXT NOT NULL,              -- JSON: what the caller said
    state TEXT NOT NULL,
    due_at TEXT,                     -- deadline for the next step (NULL when closed)
    history TEXT NOT NULL,           -- JSON list of {state, at, note}
    rules TEXT NOT NULL              -- the dispatch-rules file used (deadlines for later steps)
);
CREATE INDEX IF NOT EXISTS orders_employer ON work_orders(employer_key, created_at);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    kind TEXT NOT NULL,              -- employer
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    count INTEGER NOT NULL,
    order_ids TEXT NOT NULL          -- JSON list
);
"""
EMPLOYER_KEYS = ("employer", "company", "site", "单位", "工地")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).isoformat(timespec="seconds")


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables (ivr.records.connect does this on open). Never call
    it inside a transaction: executescript commits what is pending."""
    conn.executescript(SCHEMA)


def _due(rules: Rules, state: str, at: datetime) -> Optional[str]:
    nxt = Flow(0, state).next_state()
    return _iso(at + timedelta(hours=rules.deadlines_h[nxt])) if nxt else None


def create_order(conn: sqlite3.Connection, rules: Rules, category: str, facts: dict,
                 said: list[str] | None = None, region: Optional[str] = None,
                 call_id: Optional[int] = None, menu: str = "",
                 now: Optional[datetime] = None) -> dict:
    """Create and dispatch an order; raise an early-warning alert when enough
    orders name the same employer within the window. Returns the order with
    `alert` set when this order raised or grew one. Call inside a transaction
    (`with conn:`) to keep it atomic with the call record; `conn` comes from
    ivr.records.connect (which creates the tables)."""
    if not category:
        raise IvrError("a work order needs a category", "give the work_order node a `category:`")
    now = now or utcnow()
    employer = next((str(facts[k]) for k in EMPLOYER_KEYS if facts.get(k)), None)
    key = normalise(employer).replace(" ", "") if employer else None
    history = [{"state": "reported", "at": _iso(now), "note": "created from a call"}]
    order_id = conn.execute(
        "INSERT INTO work_orders (created_at, call_id, menu, category, region, union_name, employer, "
        "employer_key, facts, said, state, due_at, history, rules) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (_iso(now), call_id, menu, category, region, rules.union_for(region, category), employer, key,
         json.dumps(facts, ensure_ascii=False), json.dumps(said or [], ensure_ascii=False),
         "reported", _due(rules, "reported", now), json.dumps(history, ensure_ascii=False),
         rules.source)).lastrowid
    order = get_order(conn, order_id)
    if key:
        order["alert"] = _early_warning(conn, rules, key, employer, now)
    return order


def _early_warning(conn, rules: Rules, key: str, label: str, now: datetime) -> Optional[dict]:
    since = _iso(now - timedelta(days=rules.warn_window_days))
    ids = [r[0] for r in conn.execute(
        "SELECT id FROM work_orders WHERE employer_key = ? AND created_at >= ? ORDER BY id", (key, since))]
    if len(ids) < rules.warn_calls:
        return None
    open_alert = conn.execute("SELECT id FROM alerts WHERE kind='employer' AND key=? AND updated_at >= ?",
                              (key, since)).fetchone()
    if open_alert:
        conn.execute("UPDATE alerts SET updated_at=?, count=?, order_ids=? WHERE id=?",
                     (_iso(now), len(ids), json.dumps(ids), open_alert[0]))
        alert_id = open_alert[0]
    else:
        alert_id = conn.execute(
            "INSERT INTO alerts (created_at, updated_at, kind, key, label, count, order_ids) "
            "VALUES (?,?,?,?,?,?,?)", (_iso(now), _iso(now), "employer", key, label, len(ids),
                                      json.dumps(ids))).lastrowid
    return {"id": alert_id, "employer": label, "count": len(ids), "order_ids": ids,
            "window_days": rules.warn_window_days}


def _as_dict(row: sqlite3.Row, now: datetime) -> dict:
    order = dict(row)
    for name in ("facts", "said", "history"):
        order[name] = json.loads(order[name])
    order.pop("employer_key", None)
    order["overdue"] = bool(order["due_at"] and order["state"] != "closed"
                            and datetime.fromisoformat(order["due_at"]) < now)
    return order


def get_order(conn: sqlite3.Connection, order_id: int, now: Optional[datetime] = None) -> dict:
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT * FROM work_orders WHERE id = ?", (order_id,)).fetchone()
    if row is None:
        raise IvrError(f"no work order {order_id}", "see `ivr orders list` for the ids")
    return _as_dict(row, now or utcnow())


def list_orders(conn: sqlite3.Connection, state: Optional[str] = None, overdue: bool = False,
                now: Optional[datetime] = None) -> list[dict]:
    conn.row_factory = sqlite3.Row
    if state and state not in STATES:
        raise IvrError(f"{state!r} is not a work-order state", f"states are {', '.join(STATES)}")
    rows = conn.execute("SELECT * FROM work_orders" + (" WHERE state = ?" if state else "") +
                        " ORDER BY id", (state,) if state else ()).fetchall()
    orders = [_as_dict(r, now or utcnow()) for r in rows]
    return [o for o in orders if o["overdue"]] if overdue else orders


def advance_order(conn: sqlite3.Connection, order_id: int, to: Optional[str] = None,
                  note: str = "", now: Optional[datetime] = None, rules: Optional[Rules] = None) -> dict:
    """Move an order one step (or to `to`, which must be the next step).
    Deadlines come from `rules`, else the rules file the order was created with."""
    now = now or utcnow()
    if conn.in_transaction:
        conn.commit()
    with conn:
        # IMMEDIATE takes the write lock before the read: two processes advancing one order
        # cannot both read the old history and each write back only their own step
        conn.execute("BEGIN IMMEDIATE")
        order = get_order(conn, order_id, now)
        if rules is None:
            path = order["rules"]
            rules = load_rules(path) if path and Path(path).is_file() else Rules()
        state = Flow(order_id, order["state"]).move(to)
        history = order["history"] + [{"state": state, "at": _iso(now), "note": note}]
        conn.execute("UPDATE work_orders SET state=?, due_at=?, history=? WHERE id=?",
                     (state, _due(rules, state, now), json.dumps(history, ensure_ascii=False), order_id))
    return get_order(conn, order_id, now)


def list_alerts(conn: sqlite3.Connection) -> list[dict]:
    conn.row_factory = sqlite3.Row
    return [dict(r, order_ids=json.loads(r["order_ids"]))
            for r in conn.execute("SELECT * FROM alerts ORDER BY id")]
