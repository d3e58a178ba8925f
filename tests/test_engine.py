"""The call engine: routing, global commands, policies, virtual time."""
from __future__ import annotations

from pathlib import Path

import pytest

from ivr.config import DEFAULTS
from ivr.engine import Call
from ivr.loader import load_menu, load_menu_text
from ivr.timing import estimate_seconds

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def maze():
    return load_menu(ROOT / "menus" / "maze.yaml")


@pytest.fixture(scope="module")
def hotline():
    return load_menu(ROOT / "menus" / "12351-hotline.yaml")


@pytest.fixture(scope="module")
def consumer():
    return load_menu(ROOT / "menus" / "consumer-service.yaml")


def test_maze_hides_the_human_behind_four_keys_and_costs_time(maze):
    call = Call(maze)
    for key in "1359":
        call.press(key)
    assert call.node == "agent" and call.outcome == "human"
    assert call.steps == 4
    assert call.clock >= 30 + 4 * 15
    adverts = [e for e in call.events if e["type"] == "enter" and e["advert"]]
    assert len(adverts) == 4


def test_maze_ignores_agent_and_zhuanrengong(maze):
    call = Call(maze)
    call.say("agent")
    call.say("转人工")
    assert call.outcome is None
    assert [e for e in call.events if e["type"] == "command"] == []


def test_maze_wrong_key_restarts_from_the_intro(maze):
    call = Call(maze)
    call.press("6")
    assert call.node == "intro" and call.playing  # the intro plays again
    call.settle()
    enters = [e["node"] for e in call.events if e["type"] == "enter"]
    assert enters == ["intro", "advert_main", "main", "intro", "advert_main", "main"]


def test_maze_silence_disconnects(maze):
    call = Call(maze)
    call.wait(120)
    assert call.outcome == "disconnected"


def test_hotline_zhuanrengong_is_one_step(hotline):
    for phrase in ("转人工", "我要转人工服务", "人工"):
        call = Call(hotline)
        call.say(phrase)
        assert call.outcome == "human" and call.steps == 1, phrase


def test_human_key_works_from_every_node_of_the_hotline(hotline):
    """Walk to each node that waits for the caller, then press 0."""
    for node_id, node in hotline.nodes.items():
        if not node.waits_for_caller():
            continue
        call = Call(hotline)
        call.machine.add_transition("jump", "*", node_id)  # test-only shortcut into the node
        call.jump()
        call.press("0")
        if node.kind == "input":
            call.press("#")
        assert call.outcome == "human", node_id


def test_chinese_synonym_routes_to_option(hotline):
    call = Call(hotline)
    call.say("我想问一下工资的事情")
    assert call.node == "wages"


def test_wage_report_creates_work_order_event(hotline):
    call = Call(hotline)
    call.press("1")
    call.press("2")
    call.say("某某建筑公司")
    call.press("010#")
    assert not [e for e in call.events if e["type"] == "work_order"]  # filed when its prompt has played
    call.settle()
    orders = [e for e in call.events if e["type"] == "work_order"]
    assert orders and orders[0]["category"] == "wage_arrears"
    assert orders[0]["facts"] == {"employer": "某某建筑公司", "area_code": "010"}  # the number comes from caller ID
    assert call.outcome == "hangup"


def test_input_too_short_is_a_no_match_and_retries(hotline):
    call = Call(hotline)
    call.press("3")
    call.press("2")
    call.press("12#")
    assert call.node == "injury_area"
    assert [e for e in call.events if e["type"] == "no_match"]


def test_no_input_retries_then_goes_to_a_person(consumer):
    call = Call(consumer)
    call.wait(200)
    silences = [e for e in call.events if e["type"] == "no_input"]
    assert len(silences) == 3  # two replays, then the policy
    assert call.outcome == "human"


def test_no_match_retries_then_goes_to_a_person(consumer):
    call = Call(consumer)
    for _ in range(3):
        call.say("pizza")
    assert call.outcome == "human"


def test_low_confidence_counts_as_no_match(consumer):
    call = Call(consumer)
    call.say("english", confidence=0.1)
    assert call.node == "language"
    assert call.events[-1]["type"] == "enter"  # the prompt is replayed


def test_spoken_digit_presses_the_key(consumer):
    call = Call(consumer)
    call.say("press one")
    assert call.node == "main"


def test_back_and_repeat_and_main_menu(consumer):
    call = Call(consumer)
    call.press("1")
    call.press("1")
    assert call.node == "billing"
    call.press("#")
    assert call.node == "main"
    call.press("*")
    assert call.node == "main" and [e["node"] for e in call.events if e["type"] == "enter"][-2:] == ["main", "main"]
    call.press("1")
    call.say("main menu")
    assert call.node == "language"


def test_barge_in_lets_an_early_caller_skip_the_prompt(consumer, maze):
    patient, eager = Call(consumer), Call(consumer)
    patient.press("1")
    eager.press("1", early=True)
    assert eager.clock < patient.clock
    forced = Call(maze)
    forced.press("1", early=True)  # the maze allows no barge-in
    assert forced.clock >= 30 + 15


def test_prompt_time_follows_the_text_length_estimate(consumer):
    call = Call(consumer)
    first = call.events[0]
    assert first["prompt_s"] == estimate_seconds(consumer.nodes["language"].prompt, DEFAULTS["timing"])


def test_estimate_counts_chinese_characters_and_english_words():
    timing = {"words_per_minute": 120, "cjk_chars_per_second": 4.0, "pause_s": 0}
    assert estimate_seconds("one two three four", timing) == 2.0
    assert estimate_seconds("转人工请按零", timing) == 1.5


def test_priority_route_skips_the_menu(hotline):
    call = Call(hotline, route="elderly")
    assert call.outcome == "human" and call.steps == 0


def test_caller_hangup_ends_the_call(consumer):
    call = Call(consumer)
    call.press("1")
    call.hangup()
    assert call.outcome == "caller_hangup"
    call.press("1")  # nothing happens after the end
    assert call.outcome == "caller_hangup"


def test_goto_chain_loop_is_bounded():
    from ivr.loader import build_menu, parse_yaml  # validation refuses this loop; the engine must not hang
    menu = build_menu(parse_yaml("""\
id: spin
title: Spin
start: a
commands: {human: {key: "0", to: p}}
nodes:
  a: {kind: goto, next: b}
  b: {kind: goto, next: a}
  p: {kind: human}
""", "<spin>")[0], "<spin>")
    call = Call(menu)
    assert call.outcome == "loop"


def test_back_option_target(consumer):
    menu = load_menu_text("""\
id: backopt
title: Back option
start: a
nodes:
  a: {kind: menu, prompt: One., options: [{key: "1", to: b}, {key: "0", to: p}]}
  b: {kind: menu, prompt: Two., options: [{key: "9", to: "@back"}, {key: "0", to: p}]}
  p: {kind: human}
""")
    call = Call(menu)
    call.press("1")
    call.press("9")
    assert call.node == "a"


def test_knowledge_base_node_answers_or_hands_over_to_a_person(hotline):
    answered = Call(hotline)
    answered.press("53")
    answered.say("老板三个月没发工资了怎么办")
    answer = [e for e in answered.events if e["type"] == "answer"]
    assert answer and "工资" in answer[0]["text"] and answer[0]["source"]
    assert answered.node == "welcome"  # back to the menu after the answer
    unsure = Call(hotline)
    unsure.press("53")
    unsure.say("今天天气怎么样")
    assert unsure.outcome == "human"  # never a dead end


def test_missing_knowledge_base_file_is_a_validation_error(tmp_path):
    from ivr.errors import MenuError
    menu = tmp_path / "kb.yaml"
    menu.write_text("""\
id: kb
title: KB
start: ask
commands: {human: {key: "0", to: p}}
nodes:
  ask: {kind: self_service, prompt: Ask., knowledge_base: nowhere.yaml, next: p}
  p: {kind: human}
""")
    with pytest.raises(MenuError) as caught:
        load_menu(menu)
    assert caught.value.errors[0].code == "missing-file" and caught.value.errors[0].where.line == 6


ADVERTS = """\
id: adverts
title: Adverts before the menu
start: intro
commands: {human: {key: "0", say: [agent], to: agent}, repeat: {key: "*"}}
defaults: {barge_in: true, timeout_s: 5}
nodes:
  intro: {kind: announcement, duration_s: 20, barge_in: %s, prompt: Welcome to Northwind., next: advert}
  advert: {kind: announcement, advert: true, duration_s: 7, barge_in: %s, prompt: Try our new tariff., next: main}
  main: {kind: menu, prompt: For billing press 1. For a person press 0., options: [{key: "1", to: bye}]}
  bye: {kind: hangup, prompt: Goodbye.}
  agent: {kind: human, prompt: Connecting you.}
"""


def adverts(intro: str = "true", advert: str = "true"):
    return load_menu_text(ADVERTS % (intro, advert))


def test_an_announcement_plays_while_the_call_stays_at_it():
    call = Call(adverts())
    assert call.node == "intro" and call.playing and call.clock == 0 and call.prompt_end == 20
    call.settle()
    assert call.node == "main" and not call.playing and call.clock == 27
    assert [e["node"] for e in call.events if e["type"] == "enter"] == ["intro", "advert", "main"]


def test_early_human_command_during_a_barge_in_announcement_is_taken_at_once():
    call = Call(adverts())
    call.press("0", early=True)
    command = next(e for e in call.events if e["type"] == "command")
    assert command["node"] == "intro" and command["t"] == 0
    assert call.outcome == "human" and call.steps == 1
    assert [e["node"] for e in call.events if e["type"] == "enter"] == ["intro", "agent"]
    assert call.clock == estimate_seconds("Connecting you.", DEFAULTS["timing"])  # only the transfer prompt
    spoken = Call(adverts())
    spoken.say("agent", early=True)
    assert spoken.outcome == "human" and spoken.clock == call.clock


def test_a_forced_announcement_cannot_be_interrupted_the_next_barge_in_node_can():
    call = Call(adverts(intro="false"))
    call.press("0", early=True)
    command = next(e for e in call.events if e["type"] == "command")
    assert command["node"] == "advert" and command["t"] == 20  # the advert's start
    assert call.outcome == "human"
    forced = Call(adverts(intro="false", advert="false"))
    forced.press("0", early=True)  # lands on the menu (barge-in on) at its start
    command = next(e for e in forced.events if e["type"] == "command")
    assert command["node"] == "main" and command["t"] == 27


def test_an_action_that_is_not_early_waits_for_the_prompt_to_end():
    call = Call(adverts())
    call.press("0")
    command = next(e for e in call.events if e["type"] == "command")
    main_s = estimate_seconds(adverts().nodes["main"].prompt, DEFAULTS["timing"])
    assert command["node"] == "main" and command["t"] == round(27 + main_s, 2)


def test_a_key_that_means_nothing_during_an_announcement_is_ignored():
    call = Call(adverts())
    call.press("5", early=True)
    assert call.events[-1] == {"t": 0, "type": "ignored", "node": "intro", "key": "5"}
    assert call.node == "intro" and call.playing and call.steps == 1 and call.outcome is None
    call.say("hello there", early=True)
    assert call.events[-1]["type"] == "ignored" and call.node == "intro"
    call.press("*", early=True)  # repeat: the announcement starts again
    assert call.node == "intro" and call.prompt_end == 20
    assert [e["node"] for e in call.events if e["type"] == "enter"] == ["intro", "intro"]
    call.settle()
    assert call.node == "main" and call.clock == 27


def test_early_command_time_agrees_with_the_audit():
    """The audit's listening time to a person from the intro is the engine's
    time for `press 0 early` there, wherever barge-in lets the command in
    (with every prompt forced, the command waits for the menu after them)."""
    from ivr.metrics import compute
    for intro, advert in (("true", "true"), ("false", "true"), ("true", "false"), ("false", "false")):
        menu = adverts(intro, advert)
        call = Call(menu)
        call.press("0", early=True)
        audit = compute(menu).per_node()["intro"]["listening_to_human_s"]
        assert call.outcome == "human" and call.clock == pytest.approx(audit, abs=0.01), (intro, advert)


def test_hangup_during_the_forced_intro_is_recorded_there(maze):
    from ivr.records.store import summarise_call
    call = Call(maze)
    call.hangup()
    assert call.outcome == "caller_hangup" and call.clock == 0
    assert [e["node"] for e in call.events if e["type"] == "enter"] == ["intro"]
    record = summarise_call(call.to_dict())
    assert record.path == ["intro"] and record.duration_s == 0 and record.node_times == {"intro": 0}


def test_wait_passes_time_inside_the_intro_then_hangup(maze):
    call = Call(maze)
    call.wait(10)
    assert call.node == "intro" and call.clock == 10 and call.playing
    call.hangup()
    assert call.outcome == "caller_hangup" and call.clock == 10
    assert [e["node"] for e in call.events if e["type"] == "enter"] == ["intro"]
    longer = Call(maze)
    longer.wait(40)  # the intro (30 s) ends inside the wait: on to the advert
    assert longer.node == "advert_main" and longer.clock == 40


def test_announcement_cycles_still_hit_the_loop_guard():
    menu = load_menu_text("""\
id: echo
title: Echo
start: a
commands: {human: {key: "0", to: p}}
nodes:
  a: {kind: announcement, duration_s: 1, prompt: A., next: b}
  b: {kind: announcement, duration_s: 1, prompt: B., next: a}
  p: {kind: human}
""")
    call = Call(menu)
    assert call.playing and call.outcome is None
    call.settle()
    assert call.outcome == "loop"
    waited = Call(menu)
    waited.wait(5000)
    assert waited.outcome == "loop"
