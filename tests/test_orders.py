"""Work orders: created by a scripted hotline call, dispatched by region,
advanced through every state, illegal jumps refused, deadlines, early warning."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError, MenuError
from ivr.orders import STATES, Flow, Rules, advance_order, create_order, list_alerts, list_orders, load_rules
from ivr.records import connect

ROOT = Path(__file__).resolve().parents[1]
HOTLINE = ROOT / "menus" / "12351-hotline.yaml"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
WAGE_CALL = "press 1\npress 2\nsay 宏达建筑工程有限公司\npress 010#\n"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_scripted_wage_call_creates_an_order_that_walks_every_state(tmp_path):
    db, script = tmp_path / "ivr.db", tmp_path / "wage.txt"
    script.write_text(WAGE_CALL, encoding="utf-8")
    call = run("call", HOTLINE, "--script", script, "--db", db)
    assert call.exit_code == 0, call.output
    listed = run("orders", "list", "--db", db, "--format", "json")
    orders = json.loads(listed.stdout)
    assert len(orders) == 1
    order = orders[0]
    assert order["category"] == "wage_arrears" and order["state"] == "reported"
    assert order["union_name"].startswith("北京市总工会")          # area code 010
    assert order["facts"]["employer"] == "宏达建筑工程有限公司"
    assert order["facts"]["area_code"] == "010"
    # an illegal jump is refused with a clear message, and changes nothing
    bad = run("orders", "advance", order["id"], "--to", "closed", "--db", db)
    assert bad.exit_code == 2
    assert "cannot go to 'closed'" in bad.output and "next step is 'accepted'" in bad.output
    for state in STATES[1:]:
        step = run("orders", "advance", order["id"], "--db", db, "--format", "json")
        assert step.exit_code == 0 and json.loads(step.stdout)["state"] == state
    shown = json.loads(run("orders", "show", order["id"], "--db", db, "--format", "json").stdout)
    assert [h["state"] for h in shown["history"]] == list(STATES)
    assert run("orders", "advance", order["id"], "--db", db).exit_code == 2   # closed stays closed


def test_no_record_writes_nothing(tmp_path):
    db, script = tmp_path / "ivr.db", tmp_path / "wage.txt"
    script.write_text(WAGE_CALL, encoding="utf-8")
    assert run("call", HOTLINE, "--script", script, "--db", db, "--no-record").exit_code == 0
    assert not db.exists()


def test_flow_refuses_going_back_and_skipping():
    flow = Flow(7, "assigned")
    with pytest.raises(IvrError, match="cannot go to 'accepted'"):
        flow.move("accepted")
    with pytest.raises(IvrError, match="cannot go to 'feedback'"):
        flow.move("feedback")
    assert flow.move() == "supervised"



@pytest.mark.parametrize("state", STATES[1:-1])
def test_flow_refuses_going_back_to_the_first_state_like_any_other(state):
    # no transition leads *to* reported, so transitions had no `to_reported` event at all
    with pytest.raises(IvrError, match="cannot go to 'reported'"):
        Flow(3, state).move("reported")


def test_cli_refuses_advancing_back_to_reported_cleanly(tmp_path):
    db = tmp_path / "ivr.db"
    conn = connect(db)
    with conn:
        order = create_order(conn, Rules(), "wage_arrears", {})
    assert run("orders", "advance", order["id"], "--db", db).exit_code == 0    # reported -> accepted
    back = run("orders", "advance", order["id"], "--to", "reported", "--db", db)
    assert back.exit_code == 2, back.output
    assert "cannot go to 'reported'" in back.output and "next step is 'assigned'" in back.output

def test_deadlines_and_overdue(tmp_path):
    conn = connect(str(tmp_path / "o.db"))
    rules = Rules(deadlines_h={"accepted": 24, "assigned": 48, "supervised": 120, "feedback": 240,
                               "closed": 72})
    with conn:
        order = create_order(conn, rules, "wage_arrears", {"employer": "A"}, now=T0)
    assert datetime.fromisoformat(order["due_at"]) == T0 + timedelta(hours=24)
    assert list_orders(conn, overdue=True, now=T0 + timedelta(hours=23)) == []
    late = list_orders(conn, overdue=True, now=T0 + timedelta(hours=25))
    assert [o["id"] for o in late] == [order["id"]]
    moved = advance_order(conn, order["id"], now=T0 + timedelta(hours=25), rules=rules)
    assert datetime.fromisoformat(moved["due_at"]) == T0 + timedelta(hours=25 + 48)


def test_early_warning_when_many_calls_name_one_employer_within_the_window(tmp_path):
    conn = connect(str(tmp_path / "o.db"))
    rules = Rules(warn_calls=3, warn_window_days=7)
    alerts = []
    with conn:
        # spelled differently by each caller: normalised to one key
        for day, name in [(0, "宏达建筑"), (20, "宏达 建筑"), (21, "宏达建筑"), (22, "宏达建筑")]:
            o = create_order(conn, rules, "wage_arrears", {"employer": name}, now=T0 + timedelta(days=day))
            alerts.append(o["alert"])
    assert alerts[:3] == [None, None, None]          # day 0 is outside the later window
    assert alerts[3]["count"] == 3
    stored = list_alerts(conn)
    assert len(stored) == 1 and stored[0]["order_ids"] == [2, 3, 4]


def test_region_routing_and_rule_errors(tmp_path):
    rules = load_rules(ROOT / "menus" / "dispatch" / "12351-hotline.yaml")
    assert rules.union_for("021", "work_injury") == "上海市总工会 / 劳动和经济工作部"
    assert rules.union_for("0999").startswith("12351热线中心")
    bad = tmp_path / "r.yaml"
    bad.write_text("deadlines_h: {accepted: -1}\nearly_warning: {calls: 1}\n", encoding="utf-8")
    with pytest.raises(MenuError) as err:
        load_rules(bad)
    assert len(err.value.errors) == 2 and err.value.errors[0].where.line == 1
