"""config.yaml: overrides merge into the defaults; a bad file is a clean input error."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ivr.config import DEFAULTS, load_config
from ivr.errors import IvrError

ROOT = Path(__file__).resolve().parents[1]


def test_overrides_merge_into_the_defaults(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("timing: {words_per_minute: 120}\n")
    config = load_config(str(path))
    assert config["timing"]["words_per_minute"] == 120
    assert config["timing"]["pause_s"] == DEFAULTS["timing"]["pause_s"]


@pytest.mark.parametrize("content, line", [
    (b"timing: {words_per_minute: 120\n", 2),          # unclosed flow mapping
    (b"tts: {enabled: caf\xe9}\n", 1),                   # not UTF-8
    (b"- a\n- list\n", 1),                               # not a mapping
    (b"language: en\nlanguage: zh-CN\n", 2),             # duplicate key
])
def test_a_bad_config_names_file_and_line(tmp_path, content, line):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    with pytest.raises(IvrError) as caught:
        load_config(str(path))
    assert caught.value.where.file == str(path) and caught.value.where.line == line and caught.value.fix


def test_cli_reports_a_bad_config_without_a_traceback(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(b"tts: {enabled: caf\xe9}\n")
    run = subprocess.run([sys.executable, "-m", "ivr", "call", "menus/maze.yaml", "--config", str(path),
                          "--script", "-"], input="press 1\n", capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and f"{path}:1:" in run.stderr and "Traceback" not in run.stderr


def test_a_missing_config_file_is_named():
    with pytest.raises(IvrError) as caught:
        load_config("/nonexistent/config.yaml")
    assert "/nonexistent/config.yaml" in str(caught.value)


@pytest.mark.parametrize("content, line, words", [
    ("simulation: {callback_accept: abc}\n", 1, ["simulation.callback_accept", "number"]),
    ("simulation: 5\n", 1, ["simulation", "object"]),
    ("simulation:\n  p_zero_out: 2\n", 2, ["p_zero_out", "maximum", "probability"]),
    ("simulation:\n  kb_answered: 1.5\n", 2, ["kb_answered", "probability"]),
    ("simulation:\n  target_s: -1\n", 2, ["target_s", "minimum"]),
    ("simulation:\n  menu_patience_s: -5\n", 2, ["menu_patience_s", "minimum"]),
    ("simulation:\n  max_steps: 2.5\n", 2, ["max_steps", "integer"]),
    ("simulation:\n  p_zero_ot: 0.1\n", 2, ["unknown field 'p_zero_ot'", "did you mean 'p_zero_out'"]),
    ("simulation:\n  p_no_input: 0.6\n  p_no_match: 0.5\n", 1, ["p_no_input + p_no_match", "over 1"]),
    ("simulation:\n  callback_after_s: .inf\n", 2, ["callback_after_s", "finite"]),
    ("simulation:\n  kb_answered: .inf\n", 2, ["kb_answered", "maximum"]),
    ("timing: {words_per_minute: 0}\n", 1, ["words_per_minute", "> 0"]),
    ("timing:\n  words_per_minute: -5\n", 2, ["words_per_minute", "> 0"]),
    ("timing:\n  cjk_chars_per_second: .nan\n", 2, ["cjk_chars_per_second", "finite"]),
    ("timing:\n  pause_s: -1\n", 2, ["pause_s", "minimum"]),
    ("timing:\n  word_per_minute: 120\n", 2, ["did you mean 'words_per_minute'"]),
])
def test_simulation_and_timing_values_are_checked_on_load(tmp_path, content, line, words):
    path = tmp_path / "c.yaml"
    path.write_text(content)
    with pytest.raises(IvrError) as caught:
        load_config(str(path))
    err = caught.value
    assert err.where.file == str(path) and err.where.line == line and err.fix, str(err)
    assert all(w in str(err) for w in words), str(err)


def test_every_problem_is_listed_in_line_order(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("timing:\n  pause_s: -1\nsimulation:\n  p_zero_out: 2\n  kb_answred: 0.5\n")
    with pytest.raises(IvrError) as caught:
        load_config(str(path))
    assert [e.where.line for e in caught.value.errors] == [2, 4, 5]


@pytest.mark.parametrize("content", [
    "simulation: {callback_accept: abc}\n", "simulation: 5\n", "timing: {words_per_minute: 0}\n",
    "simulation: {menu_patience_s: -5}\n"])
def test_simulate_with_a_bad_config_is_a_clean_error(tmp_path, content):
    path = tmp_path / "c.yaml"
    path.write_text(content)
    run = subprocess.run([sys.executable, "-m", "ivr", "simulate", "menus/12351-hotline.yaml",
                          "--calls", "20", "--no-record", "--config", str(path), "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and f"{path}:1:" in run.stderr and "Traceback" not in run.stderr
    assert run.stdout == ""


def test_the_repository_config_and_the_defaults_pass_the_schema():
    import json

    import jsonschema
    from ivr.config import config_schema
    from ivr.queueing.simulate import SIM_DEFAULTS
    load_config(str(ROOT / "config.yaml"))
    jsonschema.Draft202012Validator(config_schema()).validate(json.loads(json.dumps(DEFAULTS)))
    sim = config_schema()["properties"]["simulation"]["properties"]
    assert {k: v["default"] for k, v in sim.items()} == SIM_DEFAULTS   # schema documents the defaults
    timing = config_schema()["properties"]["timing"]["properties"]
    assert {k: v["default"] for k, v in timing.items()} == DEFAULTS["timing"]


def test_unread_max_call_s_is_gone():
    assert "max_call_s" not in DEFAULTS["timeouts"]
    assert "max_call_s" not in (ROOT / "config.yaml").read_text("utf-8")
    assert DEFAULTS["timeouts"]["default_s"] == 5 and DEFAULTS["language"] == "en"


def test_language_and_default_timeout_come_from_config_where_the_menu_is_silent(tmp_path):
    """config.yaml's `language` and `timeouts.default_s` are the menu's defaults."""
    from ivr.loader import load_menu_text
    text = ("id: m\ntitle: m\nstart: main\ncommands:\n  human: {key: '0', to: agent}\nnodes:\n"
            "  main: {kind: menu, prompt: Press 1., options: [{key: '1', to: agent}]}\n"
            "  quick: {kind: menu, prompt: Press 1., timeout_s: 3, options: [{key: '1', to: agent}]}\n"
            "  agent: {kind: human, prompt: Hello.}\n")
    text = text.replace("options: [{key: '1', to: agent}]}\n  quick", "options: [{key: '1', to: agent}, {key: '2', to: quick}]}\n  quick")
    built_in = load_menu_text(text, "m.yaml")
    assert built_in.language == "en" and built_in.nodes["main"].timeout_s == 5
    config = tmp_path / "c.yaml"
    config.write_text("language: zh-CN\ntimeouts: {default_s: 9}\n", "utf-8")
    menu = load_menu_text(text, "m.yaml", load_config(str(config)))
    assert menu.language == "zh-CN" and menu.nodes["main"].timeout_s == 9
    assert menu.nodes["quick"].timeout_s == 3                       # the menu's own value wins
    said = load_menu_text("language: en\n" + text, "m.yaml", load_config(str(config)))
    assert said.language == "en"
