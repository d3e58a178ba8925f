"""Call records: what is stored per call, and a killed process loses only the call in flight."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from ivr.config import DEFAULTS
from ivr.engine import Call
from ivr.loader import load_menu
from ivr.records import connect, summarise_call
from ivr.records.capture import save_call

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = ROOT / "menus" / "12351-hotline.yaml"

CHILD = r"""
import sys
from ivr.config import DEFAULTS
from ivr.engine import Call
from ivr.loader import load_menu
from ivr.records import capture

db, menu = sys.argv[1], load_menu(sys.argv[2])
def wage_call():
    call = Call(menu, DEFAULTS)
    call.press("12"); call.say("宏达建筑"); call.press("010#")
    return call.to_dict()

for _ in range(5):
    capture.save_call(db, menu, wage_call(), DEFAULTS)
real = capture.create_order
def stall(*args, **kwargs):          # the sixth call: its record is written, then we are killed
    order = real(*args, **kwargs)
    print("in-flight", flush=True)
    sys.stdin.readline()
    return order
capture.create_order = stall
capture.save_call(db, menu, wage_call(), DEFAULTS)
"""


def test_a_killed_process_loses_only_the_call_in_flight(tmp_path):
    db = tmp_path / "ivr.db"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(HOTLINE)], cwd=ROOT,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "in-flight"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 5
    assert conn.execute("SELECT COUNT(*) FROM work_orders").fetchone()[0] == 5
    assert conn.execute("SELECT MAX(call_id) FROM work_orders").fetchone()[0] == 5


def test_record_holds_path_node_times_outcome_and_asr(tmp_path):
    menu = load_menu(HOTLINE)
    call = Call(menu, DEFAULTS)
    call.press("1")
    call.say("转人工", confidence=0.9)
    rec = summarise_call(call.to_dict())
    assert rec.outcome == "human" and rec.path == ["welcome", "wages", "agent"]
    assert rec.asr == [{"node": "wages", "text": "转人工", "confidence": 0.9}]
    assert rec.time_to_human_s == rec.duration_s > 0
    assert abs(sum(rec.node_times.values()) - rec.duration_s) < 0.05
    saved = save_call(str(tmp_path / "r.db"), menu, call.to_dict(), DEFAULTS)
    row = connect(str(tmp_path / "r.db")).execute("SELECT * FROM calls WHERE id=?",
                                                   (saved["call_id"],)).fetchone()
    assert row["outcome"] == "human" and json.loads(row["path"])[-1] == "agent"
    assert saved["orders"] == []


def test_unusable_database_is_a_clean_error(tmp_path):
    bad = tmp_path / "not.db"
    bad.write_text("this is not sqlite" * 100)
    import pytest
    from ivr.errors import IvrError
    with pytest.raises(IvrError, match="records database"):
        connect(str(bad))


def test_a_caller_who_hangs_up_is_recorded_at_the_node_they_left(tmp_path):
    """Abandonment by node needs the real node, not the engine's @disconnected."""
    maze = load_menu(ROOT / "menus" / "maze.yaml")
    call = Call(maze, DEFAULTS)
    call.wait(10)
    call.hangup()
    record = summarise_call(call.to_dict())
    assert call.to_dict()["final_node"] == "@disconnected"
    assert record.outcome == "caller_hangup" and record.end_node == "intro" and record.duration_s == 10
