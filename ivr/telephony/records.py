"""SIP calls in the records database: the same `calls` row as `ivr call`
(source "sip") plus one `sip_calls` row with what only a phone call has."""
from __future__ import annotations

import json
import sqlite3

from ..records.capture import save_call
from ..records.store import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS sip_calls (
    call_id INTEGER PRIMARY KEY REFERENCES calls(id),
    sip_call_id TEXT NOT NULL,
    remote_uri TEXT,
    remote_addr TEXT,
    codec TEXT,
    dtmf_methods TEXT,               -- JSON list: rfc4733, info
    end_reason TEXT,                 -- bye, media-timeout, shutdown, transfer, callback, agent, ...
    real_duration_s REAL,
    detail TEXT                      -- JSON: digits, recognitions, queue, transfer
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(SCHEMA)


def save_sip_call(db_path: str, menu, result: dict, config: dict, sip: dict) -> dict:
    """Write the engine's call record, then its SIP details; returns save_call's answer."""
    saved = save_call(db_path, menu, result, config, source="sip")
    conn = connect(db_path)
    try:
        ensure_schema(conn)
        with conn:
            conn.execute("INSERT OR REPLACE INTO sip_calls VALUES (?,?,?,?,?,?,?,?,?)",
                         (saved["call_id"], sip["sip_call_id"], sip.get("remote_uri"), sip.get("remote_addr"),
                          sip.get("codec"), json.dumps(sip.get("dtmf_methods", [])), sip.get("end_reason"),
                          sip.get("real_duration_s"), json.dumps(sip.get("detail", {}), ensure_ascii=False)))
    finally:
        conn.close()
    return saved


def recent_sip_calls(conn: sqlite3.Connection, limit: int = 20, menu=None) -> list[dict]:
    """The latest SIP calls with their engine record (for `ivr report`)."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name='sip_calls'").fetchone():
        return []
    rows = conn.execute(
        "SELECT c.id, c.recorded_at, c.menu, c.outcome, c.end_node, c.path, s.sip_call_id, s.remote_uri, "
        "s.codec, s.dtmf_methods, s.end_reason, s.real_duration_s FROM sip_calls s JOIN calls c ON c.id = s.call_id"
        + (" WHERE c.menu = ?" if menu else "") + " ORDER BY c.id DESC LIMIT ?",
        ((menu, limit) if menu else (limit,))).fetchall()
    out = []
    for row in rows:
        item = dict(row)
        item["path"] = json.loads(item["path"])
        item["dtmf_methods"] = json.loads(item["dtmf_methods"] or "[]")
        out.append(item)
    return out
