"""Rule-pack option values, queues nobody staffs, packs that apply to no
requested menu, and the scale benchmark's generated menu."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.audit import audit_menu
from ivr.cli import cli
from ivr.config import DEFAULTS
from ivr.errors import IvrError
from ivr.loader import load_menu, load_menu_text
from ivr.metrics import compute
from ivr.queueing.simulate import simulate_menu
from ivr.rules import load_pack
from ivr.validate import check_menu

ROOT = Path(__file__).resolve().parents[1]
MENUS = ROOT / "menus"


def run(*args):
    result = CliRunner().invoke(cli, [*map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def write_pack(tmp_path, rule: str, options: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: mine\nrules:\n  - id: {rule}\n    options:\n      {options}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rule, options, words", [
    ("menu-depth", 'max_depth: "three"', "must be a whole number"),
    ("menu-depth", "max_depth: null", "must be a whole number"),
    ("menu-depth", "max_depth: [3]", "must be a whole number"),
    ("menu-depth", "max_depth: true", "must be a whole number"),
    ("menu-depth", "max_depth: -1", "must be >= 0"),
    ("human-reachable", 'max_steps_key: "x"', "must be a whole number"),
    ("queue-wait", "max_asa_s: null", "must be a number"),
    ("queue-wait", "require_model: 1", "must be true or false"),
    ("queue-service-level", "min_level: 95", "must be >= 0 and <= 1"),
    ("dead-end", "limit: 0", "must be >= 1"),
    ("human-command-key", "key: 0", "must be a string"),
    ("human-command-key", "phrases: {en: operator}", "must be a mapping"),
    ("no-input-outcome", "allowed: human", "must be a list"),
    ("language-first", 'pattern: "(("', "not a valid regular expression"),
])
def test_a_wrongly_typed_option_is_a_clean_error_at_its_line(tmp_path, rule, options, words):
    path = write_pack(tmp_path, rule, options)
    with pytest.raises(IvrError) as caught:
        load_pack(str(path))
    err = caught.value
    assert words in err.problem and "option" in err.problem and err.fix.startswith("write e.g.")
    assert (err.where.file, err.where.line, err.where.column) == (str(path), 5, 7)
    code, out, stderr = run("audit", MENUS / "maze.yaml", "--rules", path)
    assert code == 2 and "Traceback" not in stderr + out
    assert f"{path}:5:7:" in stderr and words in stderr


@pytest.mark.parametrize("rule, options", [
    ("human-reachable", "max_steps_voice: null"),   # null switches that check off (us-bills does)
    ("queue-wait", "max_asa_s: 12.5"),             # seconds need not be whole
    ("queue-service-level", "min_level: 1"),
    ("human-command-key", "phrases: {en: [operator, agent], es: [operador]}"),
])
def test_well_typed_options_load(tmp_path, rule, options):
    load_pack(str(write_pack(tmp_path, rule, options)))


Q0 = """\
id: q0
title: Out of hours
start: main
commands:
  human: {key: "0", say: [agent], to: agent}
nodes:
  main:
    kind: menu
    prompt: For sales press 1. For a person press 0 or say agent.
    options:
      - {key: "1", say: [sales], to: agent}
  agent:
    kind: human
    prompt: Connecting you.
    queue: {name: main, agents: 0, aht_s: 240, calls_per_hour: 120}
"""


def test_a_queue_with_no_agents_is_a_finding_not_an_input_error(tmp_path):
    path = tmp_path / "q0.yaml"
    path.write_text(Q0, encoding="utf-8")
    assert run("validate", path)[0] == 0
    pack = tmp_path / "queues.yaml"
    pack.write_text("name: queues\nrules:\n  - id: queue-wait\n  - id: queue-service-level\n", encoding="utf-8")
    code, out, stderr = run("audit", path, "--rules", pack, "--format", "json")
    report = json.loads(out)["menus"][0]
    assert code == 1 and "error" not in report, stderr
    queue = report["metrics"]["queues"]["agent"]
    assert queue["p_wait"] == 1 and queue["asa_s"] is None and queue["service_level"] == 0
    assert report["metrics"]["time_to_human_from_start_s"] is None
    messages = {f["rule"]: f["message"] for f in report["findings"]}
    assert set(messages) == {"queue-wait", "queue-service-level"}
    assert all("nobody answers at 'agent'" in m and "agents: 0" in m for m in messages.values())
    code, out, _ = run("audit", path, "--rules", pack)
    assert "never (listening" in out and "never s" not in out


def test_simulating_a_queue_with_no_agents_answers_nobody():
    result = simulate_menu(load_menu_text(Q0, "q0.yaml"), DEFAULTS, calls=500, seed=1)
    assert result["reached_human"] == 0 and result["outcomes"]["queue_closed"] > 0
    assert result["queues"]["main"]["agents"] == 0
    assert result["queues"]["main"]["closed"] == result["outcomes"]["queue_closed"]


def test_a_pack_that_applies_to_no_requested_menu_is_not_a_pass():
    menu = MENUS / "consumer-service.yaml"
    code, out, stderr = run("audit", menu, "--rules", "cn")
    assert code == 0   # nothing checked is not a failure (README: 1 is for findings)
    assert "PASSED" not in out and "NOT CHECKED" in out and "cn applies to zh" in out
    assert stderr.count("\n") == 1 and "warning:" in stderr and "--all-languages" in stderr
    code, out, _ = run("audit", menu, "--rules", "cn", "--format", "json")
    report = json.loads(out)["menus"][0]
    assert report["checked"] is False and "cn applies to zh" in report["not_checked"]
    code, out, stderr = run("audit", menu, "--rules", "cn", "--all-languages", "--format", "json")
    report = json.loads(out)["menus"][0]
    assert report["checked"] is True and report["packs"] == ["cn"] and report["findings"] and not stderr
    code, out, stderr = run("audit", menu, "--rules", "cn,ivr-core")
    assert "PASSED" in out and not stderr   # one requested pack applied: a real verdict
    assert "--all-languages" in run("audit", "--help")[1]


def bench():
    spec = importlib.util.spec_from_file_location("audit_scale", ROOT / "benchmarks" / "audit_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("n", [3, 7, 1000, 1001, 1002, 1003, 1004])
def test_benchmark_menu_is_one_the_loader_would_accept(n):
    menu = bench().generate(n)
    assert len(menu.nodes) == n
    assert compute(menu).summary()["unreachable"] == []
    assert check_menu(menu) == []


def test_benchmark_applies_all_six_packs_to_its_english_menu():
    module = bench()
    audit = audit_menu(module.generate(200), module.PACKS, all_languages=True)
    assert audit.packs == module.PACKS and len(module.PACKS) == 6


def test_human_reachable_says_which_way_is_never():
    report = audit_menu(load_menu(MENUS / "maze.yaml"), ["ivr-core"])
    messages = [f.message for f in report.findings if f.rule == "human-reachable" and f.node == "main"]
    assert any("worst by key in this menu: 4 actions" in m for m in messages), messages
    assert any("no node in this menu has a way to a person by voice" in m for m in messages), messages
