"""`ivr validate` and `ivr call` as a user runs them: exit codes, JSON, stderr."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ivr(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ivr", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_maze_script_reaches_human_after_at_least_90_seconds():
    run = ivr("call", "menus/maze.yaml", "--script", "-", "--format", "json",
              stdin="press 1\npress 3\npress 5\npress 9\n")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["final_node"] == "agent" and result["final_kind"] == "human"
    assert result["elapsed_s"] >= 30 + 4 * 15
    assert result["events"][0]["type"] == "enter"


def test_hotline_say_zhuanrengong_reaches_human_in_one_step():
    run = ivr("call", "menus/12351-hotline.yaml", "--script", "-", "--format", "json", stdin="say 转人工\n")
    result = json.loads(run.stdout)
    assert result["final_kind"] == "human" and result["steps"] == 1


def test_script_file_and_text_transcript(tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("\ufeff# billing then a person\npress 1\nsay billing\nwait 2\npress 0\n",
                      encoding="utf-8")           # with the BOM some Windows editors write
    run = ivr("call", "menus/consumer-service.yaml", "--script", str(script))
    assert run.returncode == 0
    assert "call ended: human" in run.stdout
    assert "[" in run.stdout.splitlines()[0] and "s]" in run.stdout.splitlines()[0]


def test_unknown_target_gives_exit_2_and_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = (ROOT / "menus" / "consumer-service.yaml").read_text().replace("to: billing,", "to: biling,")
    bad.write_text(text)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "biling" in l)
    run = ivr("validate", str(bad))
    assert run.returncode == 2
    assert f"{bad}:{line}:" in run.stderr and "biling" in run.stderr and "billing" in run.stderr
    assert "Traceback" not in run.stderr
    run = ivr("call", str(bad), "--script", "-", stdin="press 1\n")
    assert run.returncode == 2 and f"{bad}:{line}:" in run.stderr


def test_validate_json_lists_every_file():
    run = ivr("validate", "menus/maze.yaml", "menus/12351-hotline.yaml", "--format", "json")
    assert run.returncode == 0
    assert [r["valid"] for r in json.loads(run.stdout)["files"]] == [True, True]


def test_bad_script_line_is_a_clean_input_error(tmp_path):
    run = ivr("call", "menus/maze.yaml", "--script", "-", stdin="press 1\njump 3\n")
    assert run.returncode == 2
    assert "<stdin>:2:1" in run.stderr and "jump" in run.stderr and "Traceback" not in run.stderr


def test_missing_file_is_exit_2():
    run = ivr("call", "menus/nope.yaml", "--script", "-")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_unknown_route_is_exit_2():
    run = ivr("call", "menus/12351-hotline.yaml", "--route", "vip", "--script", "-")
    assert run.returncode == 2 and "elderly" in run.stderr


def test_every_command_has_help():
    top = ivr("--help")
    assert top.returncode == 0
    names = [line.split()[0] for line in top.stdout.split("Commands:")[1].splitlines() if line.strip()]
    assert {"validate", "call", "demo"} <= set(names)
    for name in names:
        run = ivr(name, "--help")
        assert run.returncode == 0 and "Usage:" in run.stdout, name


def test_demo_runs_offline_and_shows_the_contrast():
    run = ivr("demo")
    assert run.returncode == 0, run.stderr
    assert "maze.yaml" in run.stdout and "4 step(s)" in run.stdout
    assert "12351-hotline.yaml" in run.stdout and "1 step(s)" in run.stdout
    audit = run.stdout[run.stdout.index("== Audit"):]
    assert "maze.yaml                FAIL" in audit and "voice never" in audit
    assert audit.count(" pass ") == 2 and "[human-reachable]" in audit
    assert "simulated callers" in run.stdout


def test_script_acts_during_announcements_and_hangs_up_where_the_caller_is(tmp_path):
    menu = tmp_path / "adverts.yaml"
    menu.write_text("""\
id: adverts
title: Adverts
start: intro
commands: {human: {key: "0", to: agent}}
defaults: {barge_in: true}
nodes:
  intro: {kind: announcement, duration_s: 20, prompt: Welcome., next: advert}
  advert: {kind: announcement, advert: true, duration_s: 7, prompt: Try our new tariff., next: main}
  main: {kind: menu, prompt: For billing press 1., options: [{key: "1", to: agent}]}
  agent: {kind: human}
""")
    run = ivr("call", str(menu), "--script", "-", "--format", "json", "--no-record", stdin="press 0 early\n")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["final_kind"] == "human" and result["elapsed_s"] == 0 and result["steps"] == 1
    assert [e["node"] for e in result["events"] if e["type"] == "enter"] == ["intro", "agent"]
    run = ivr("call", "menus/maze.yaml", "--script", "-", "--no-record", stdin="wait 10\nhangup\n")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 2 and "intro" in lines[0] and lines[1].startswith("[   10.0s]") and "caller_hangup" in lines[1]
