"""Never stranded (人工托底): the engine's run-time guard, its opt-out, and how the audit credits it."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import DEFAULTS, check_config
from ivr.engine import Call
from ivr.errors import MenuError
from ivr.loader import load_menu, load_menu_text
from ivr.audit import audit_menu
from ivr.metrics import compute
from ivr.records.store import summarise_call
from ivr.sources import open_menu

ROOT = Path(__file__).resolve().parents[1]
FREESWITCH = ROOT.parent / "shared" / "real_menus" / "freeswitch" / "demo_ivr.xml"

# a menu that forgot people: no human node, no human command; wrong input restarts
FORGETFUL = """
id: forgetful
title: no person anywhere
start: main
{guard}
defaults: {{no_input: {{retries: 5, then: "@start"}}, no_match: {{retries: 0, then: "@start"}}}}
nodes:
  main:
    kind: menu
    prompt: Press 1 for billing.
    options:
      - {{key: "1", to: bye}}
  bye: {{kind: hangup, prompt: Goodbye.}}
"""


def forgetful(guard: str = ""):
    return load_menu_text(FORGETFUL.format(guard=guard), "forgetful.yaml")


def test_a_menu_without_a_person_ends_at_the_fallback_agent_after_n_failures():
    call = Call(forgetful())
    call.press("9")
    call.press("8")
    assert call.outcome is None and call.node == "main"   # the menu's own restarts, twice
    call.press("7")                                       # the 3rd failure in a row
    result = call.to_dict()
    assert result["outcome"] == "fallback_agent" and result["final_kind"] == "human"
    guard = [e for e in call.events if e["type"] == "guard"]
    assert guard and guard[0]["reason"] == "3 failed turns in a row"
    assert summarise_call(result).time_to_human_s is not None   # recorded as reaching a person


def test_silence_counts_too_and_a_success_resets_the_count():
    menu = load_menu_text("""
id: loop
title: silence loops
start: main
defaults: {no_input: {retries: 9, then: "@start"}, no_match: {retries: 9, then: "@start"}}
nodes:
  main:
    kind: menu
    prompt: Press 1 to hear this again, 2 to leave.
    options:
      - {key: "1", to: main}
      - {key: "2", to: bye}
  bye: {kind: hangup, prompt: Goodbye.}
""", "loop.yaml")
    call = Call(menu)
    silent_turns(call, 2)
    call.press("1")             # works: the count starts again
    silent_turns(call, 2)
    assert call.outcome is None and len([e for e in call.events if e["type"] == "no_input"]) == 4
    silent_turns(call, 1)
    assert call.outcome == "fallback_agent"


def silent_turns(call, turns: int) -> None:
    """The caller hears the prompt out, then says nothing until the timeout, `turns` times."""
    for _ in range(turns):
        call.wait(max(0.0, call.prompt_end - call.clock) + call.menu.nodes[call.node].timeout_s)


def test_a_complaint_goes_to_the_human_node_at_once():
    menu = load_menu_text("""
id: hidden
title: a person only by key 9 deep down
start: main
nodes:
  main:
    kind: menu
    prompt: Press 1 for billing.
    options:
      - {key: "1", to: more}
  more:
    kind: menu
    prompt: Press 9 for a person.
    options:
      - {key: "9", to: agent}
  agent: {kind: human, prompt: Connecting you.}
""", "hidden.yaml")
    call = Call(menu)
    call.say("我要投诉")
    assert call.outcome == "human" and call.node == "agent" and call.steps == 1


def test_an_explicit_opt_out_keeps_the_old_behaviour():
    call = Call(forgetful("guard: {enabled: false}"))
    for key in "98765":
        call.press(key)
    call.say("this is useless")
    assert call.outcome is None and call.node == "main"
    assert not any(e["type"] == "guard" for e in call.events)


def test_the_maze_opts_out_and_config_can_switch_it_off_or_tune_it():
    maze = load_menu(ROOT / "menus" / "maze.yaml")
    call = Call(maze)
    for key in "666":
        call.press(key)
    assert call.outcome is None   # still the maze: wrong keys restart it
    off = {**DEFAULTS, "guard": {**DEFAULTS["guard"], "enabled": False}}
    call = Call(forgetful(), off)
    for key in "9876":
        call.press(key)
    assert call.outcome is None
    five = {**DEFAULTS, "guard": {**DEFAULTS["guard"], "max_failures": 5}}
    call = Call(forgetful(), five)
    for key in "9876":
        call.press(key)
    assert call.outcome is None
    call.press("5")
    assert call.outcome == "fallback_agent"


def test_the_menu_policy_acts_first_where_it_already_reaches_a_person():
    consumer = load_menu(ROOT / "menus" / "consumer-service.yaml")
    call = Call(consumer)
    call.press("1")
    for key in "999":
        call.press(key)
    assert call.node == "agent" and not any(e["type"] == "guard" for e in call.events)


def test_imported_freeswitch_demo_ends_at_the_fallback_agent_and_is_still_audited_as_no_person():
    assert FREESWITCH.exists(), "shared data missing: ../shared/real_menus"
    menu = open_menu(str(FREESWITCH))
    assert not menu.human_nodes()
    call = Call(menu)
    call.say("I want to make a complaint")
    assert call.to_dict()["outcome"] == "fallback_agent"
    metrics = compute(menu)
    summary = metrics.summary()
    assert summary["max_steps_to_human"] is None                       # the guard is no way to a person
    assert summary["guard"]["enabled"] and summary["guard"]["counted_as_way_to_person"] is False
    rules = {f.rule for f in audit_menu(menu, ["ivr-core"]).findings}
    assert "human-reachable" in rules and "stranding-guard" not in rules


def test_audit_reports_a_menu_that_switches_the_guard_off():
    maze = load_menu(ROOT / "menus" / "maze.yaml")
    found = [f for f in audit_menu(maze, ["ivr-core"]).findings if f.rule == "stranding-guard"]
    assert found and "switched off by the menu" in found[0].message
    assert compute(maze).summary()["guard"]["enabled"] is False


@pytest.mark.parametrize("guard,words", [("guard: {enabled: maybe}", "enabled"), ("guard: {max_failures: 0}", "max_failures"),
                                         ("guard: {retries: 3}", "retries")])
def test_a_bad_guard_field_is_an_error_with_its_line(guard, words):
    with pytest.raises(MenuError) as err:
        forgetful(guard)
    assert words in str(err.value) and "forgetful.yaml:5" in str(err.value)


def test_config_guard_is_checked():
    with pytest.raises(MenuError):
        check_config({"guard": {"max_failures": 0}}, "config.yaml")
    with pytest.raises(MenuError):
        check_config({"guard": {"fallback": "x"}}, "config.yaml")
    check_config({"guard": {"enabled": False, "max_failures": 4, "fallback_agent": {"name": "line 2"}}}, "config.yaml")
