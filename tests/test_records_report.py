"""`ivr report` and `ivr simulate` recording: numbers from the database, HTML escaped."""
import json
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from ivr.cli import cli
from ivr.orders import Rules, create_order
from ivr.records import CallRecord, connect, record_call

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = '<script>alert("x")</script>宏达'


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def seeded_db(path):
    conn = connect(str(path))
    for t in (10.0, 20.0, 30.0, 40.0, 400.0):
        record_call(conn, CallRecord("m", "human", "agent", t, t, ["welcome", "agent"]))
    for node in ("welcome", "welcome", "billing"):
        record_call(conn, CallRecord("m", "abandoned_menu", node, 5.0, None, [node]))
    record_call(conn, CallRecord("m", "hangup", "bye", 50.0, None, ["wage_order", "bye"],
                                 category="wage_arrears", region="010"))
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with conn:
        for _ in range(3):
            create_order(conn, Rules(), "wage_arrears", {"employer": HOSTILE}, region="010", menu="m", now=now)
    return path


def test_report_numbers(tmp_path):
    db = seeded_db(tmp_path / "r.db")
    r = json.loads(run("report", "--db", db, "--format", "json").stdout)
    assert r["calls"] == 9
    assert r["time_to_human_s"]["calls"] == 5 and r["time_to_human_s"]["p50"] == 30.0
    assert [h["calls"] for h in r["time_to_human_s"]["histogram"]] == [2, 2, 0, 0, 1, 0]
    assert r["abandonment_by_node"] == [{"node": "welcome", "calls": 2}, {"node": "billing", "calls": 1}]
    assert r["top_reasons"][0] == {"reason": "agent", "calls": 5}
    assert {"reason": "wage_arrears", "calls": 1} in r["top_reasons"]
    assert r["hot_spots"] == [{"region": "010", "category": "wage_arrears", "orders": 3}]
    assert r["orders"]["overdue"] == [1, 2, 3]      # created in January, due a day later
    assert r["alerts"][0]["count"] == 3
    text = run("report", "--db", db).stdout
    assert "welcome" in text and "EARLY WARNING" in text


def test_html_report_escapes_caller_text(tmp_path):
    db = seeded_db(tmp_path / "r.db")
    html = run("report", "--db", db, "--format", "html").stdout
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert html.lstrip().startswith("<!doctype html>")


def test_simulate_records_summary_and_sample(tmp_path):
    db = tmp_path / "s.db"
    out = run("simulate", ROOT / "menus" / "12351-hotline.yaml", "--calls", 5000, "--seed", 3,
              "--db", db, "--record-sample", 200, "--format", "json")
    assert out.exit_code == 0
    summary = json.loads(out.stdout)
    r = json.loads(run("report", "--db", db, "--source", "simulate", "--format", "json").stdout)
    assert r["calls"] == 200
    assert r["simulation_runs"][0]["calls"] == 5000
    assert r["simulation_runs"][0]["abandonment_rate"] == summary["abandonment"]["rate"]


def test_a_mistyped_database_is_an_error_not_a_new_empty_one(tmp_path):
    typo = tmp_path / "recods.db"
    for args in (["report"], ["orders", "list"], ["orders", "alerts"]):
        result = run(*args, "--db", typo)
        assert result.exit_code == 2 and "no records database at" in result.stderr, args
    assert not typo.exists()
