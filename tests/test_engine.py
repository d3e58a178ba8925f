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
    menu = load_menu_text("""\
id: spin
title: Spin
start: a
commands: {human: {key: "0", to: p}}
nodes:
  a: {kind: goto, next: b}
  b: {kind: goto, next: a}
  p: {kind: human}
""")
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
