"""ivr.flows pieces: expectations, coverage of a menu's design, JUnit, speech steps."""
from pathlib import Path

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as SafeET

from ivr.cli import cli
from ivr.config import DEFAULTS
from ivr.flows.coverage import coverage, menu_transitions
from ivr.flows.junit import junit_xml
from ivr.flows.runner import run_scenario, similarity
from ivr.flows.scenario import load_scenarios
from ivr.model import Command, Menu, Node, Option, Policy

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def tiny_menu() -> Menu:
    """main: 1 -> info (announcement -> main), 2 -> form (input -> done), 0 = person."""
    nodes = {
        "main": Node("main", "menu", prompt="For info press 1. For the form press 2.",
                     options=[Option("info", key="1", phrases=["info"]), Option("form", key="2")],
                     no_input=Policy(1, "@human"), no_match=Policy(0, "@hangup")),
        "info": Node("info", "announcement", prompt="We are open all day.", next="main"),
        "form": Node("form", "input", prompt="Enter your number", input_name="number", input_digits=(3, 3),
                     next="done", globals_off=["human"]),
        "done": Node("done", "work_order", category="request", prompt="Thanks.", next="bye"),
        "bye": Node("bye", "hangup", prompt="Bye."),
        "person": Node("person", "human", prompt="Connecting."),
    }
    return Menu("tiny", "Tiny", "en", "main", nodes, commands={"human": Command("human", key="0", target="person")})


def test_transitions_come_from_the_design():
    labels = {str(t) for t in menu_transitions(tiny_menu())}
    assert labels == {
        "main: option 0 → info", "main: option 1 → form", "main: no_input → @human", "main: no_match → @hangup",
        "main: command human → @human", "info: next → main", "form: next → done", "form: no_input → @human",
        "form: no_match → @human", "done: next → bye"}  # no human command at `form` (globals_off)


def _write(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text, "utf-8")
    return path


def _run(tmp_path, body, menu_file="menus/consumer-service.yaml"):
    path = _write(tmp_path, f"menu: {ROOT / menu_file}\n{body}")
    scenarios, menu = load_scenarios(path)
    return [run_scenario(s, menu, DEFAULTS) for s in scenarios]


def test_coverage_counts_policies_only_when_they_fire(tmp_path):
    # one silence at `language` is a replay (retries 2), not the no_input policy
    results = _run(tmp_path, "steps: [{wait: 15}, {press: 0}]\n")
    menus = {results[0].menu_path: load_scenarios(tmp_path / "s.yaml")[1]}
    cov = coverage(results, menus)[0]
    assert ("language", "command human") in cov.fired
    assert ("language", "no_input") not in cov.fired
    results = _run(tmp_path, "steps: [{wait: 60}]\n")
    assert ("language", "no_input") in coverage(results, menus)[0].fired


def test_hear_contains_and_similar(tmp_path):
    ok = _run(tmp_path, """scenarios:
  - name: contains
    steps: [{hear: "PRESS 0 or say agent"}, {press: 1}, {hear: "for billing, press 1"}]
  - name: similar
    steps: [{hear: {similar: "To speak with a person at any time press zero", min: 0.75}}]
""")
    assert [r.passed for r in ok] == [True, True]
    bad = _run(tmp_path, "steps: [{press: 1}, {hear: 'para español'}]\n")[0]
    assert not bad.passed and "no prompt since the last action contains the text" in bad.failures[0]
    assert "Main menu" in bad.failures[0]  # the actual prompt is quoted


def test_similarity_finds_a_sentence_inside_a_prompt():
    prompt = "Main menu. For billing, press 1 or say billing. To report an outage, press 2."
    assert similarity("for billing press one or say billing", prompt) > 0.8
    assert similarity("to report an outage press 2", prompt) == 1.0
    assert similarity("welcome to the weather line", prompt) < 0.6


def test_a_step_after_the_call_ended_fails(tmp_path):
    result = _run(tmp_path, "steps: [{press: 0}, {press: 1}]\n")[0]
    assert not result.passed
    assert "the call already ended before this press step" in result.failures[0]
    assert ":2:21:" in result.failures[0]


def test_work_order_and_collected_mismatches_are_shown(tmp_path):
    result = _run(tmp_path, """steps: [{press: 1}, {press: 3}, {press: "1234567#"}]
expect: {collected: {order_number: "7654321"}}
""")[0]
    assert not result.passed and "expected: 7654321" in result.failures[0] and "actual:   1234567" in result.failures[0]
    result = _run(tmp_path, "steps: [{press: 1}, {press: 2}]\nexpect: {work_order: {category: outage, facts: {}}}\n")[0]
    assert result.passed
    result = _run(tmp_path, "steps: [{press: 1}, {press: 1}]\nexpect: {work_order: {category: outage}}\n")[0]
    assert not result.passed and "no work order" in result.failures[0]


def test_unknown_work_order_category_and_input_name(tmp_path):
    from ivr.errors import IvrError
    for body, words in [("steps: []\nexpect: {work_order: {category: outgae}}\n", "did you mean 'outage'"),
                        ("steps: []\nexpect: {collected: {order: '1'}}\n", "unknown input 'order'")]:
        with pytest.raises(IvrError) as err:
            _run(tmp_path, body)
        assert words in str(err.value)


def test_junit_is_valid_xml_even_with_control_characters(tmp_path):
    results = _run(tmp_path, "name: \"bell \\x07 and <tags> & quotes\"\nsteps: [{press: 9}]\nexpect: {node: agent}\n")
    xml = tmp_path / "j.xml"
    junit_xml(results).write(xml, encoding="utf-8", xml_declaration=True)
    root = SafeET.parse(xml).getroot()
    case = root.find("./testsuite/testcase")
    assert case.get("name") == "bell \ufffd and <tags> & quotes"
    assert case.find("failure") is not None and root.find("./testsuite").get("failures") == "1"


@pytest.mark.skipif(not (SHARED / "speech").is_dir(), reason="needs ../shared/speech")
def test_corrupt_audio_in_a_say_step_is_an_input_error(tmp_path):
    bad = tmp_path / "noise.wav"
    bad.write_bytes(b"RIFF not really a wave file")
    path = _write(tmp_path, f"menu: {ROOT / 'menus/consumer-service.yaml'}\nsteps:\n  - say: {{audio: noise.wav}}\n")
    res = CliRunner().invoke(cli, ["test", str(path), "-j", "1"])
    assert res.exit_code == 2
    assert f"{path}:3:5:" in res.stderr and "not readable audio" in res.stderr and "say" in res.stderr


def test_shared_speech_data_is_present():
    # the bundled speech scenarios read real recordings from ../shared; CI always has them
    assert (SHARED / "speech" / "fsdd" / "4_jackson_0.wav").is_file(), f"missing {SHARED}: see ../shared/README.md"


def test_reaches_kind(tmp_path):
    ok = _run(tmp_path, "steps: [{press: 1}, {press: 2}]\nexpect: {reaches_kind: [work_order, menu], node: main}\n")[0]
    assert ok.passed
    bad = _run(tmp_path, "steps: [{press: 1}, {press: 4}]\nexpect: {reaches_kind: work_order}\n")[0]
    assert not bad.passed and "never reached a node of this kind" in bad.failures[0]
    assert "self_service" in bad.failures[0]


def test_schema_is_valid_and_step_errors_say_what_to_write(tmp_path):
    import json

    import jsonschema

    from ivr.errors import IvrError
    schema = json.loads((ROOT / "ivr" / "schema" / "scenario.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for body, words in [("steps:\n  - press: 1\n    wait: 3\n", "write one key per step"),
                        ("steps:\n  - say: {text: hi, tts: hi}\n", "exactly one of them")]:
        with pytest.raises(IvrError) as err:
            _run(tmp_path, body)
        assert words in str(err.value) and ":3:5:" in str(err.value)
