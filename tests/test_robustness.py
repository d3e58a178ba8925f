"""Regression tests for issue 15 (robustness), one or more per numbered item.

Each reproduces the smallest input the fuzzing campaign found and asserts
the behaviour we want now: a clean error naming file:line:col (exit 2), or
the right result — never a traceback, a hang or unbounded memory.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.errors import IvrError

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real_menus"
MENUS = ROOT / "menus"


def run(*args: str):
    """ivr ARGS in-process; a traceback (any exception but SystemExit) fails the test."""
    out = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    if out.exception is not None and not isinstance(out.exception, SystemExit):
        raise AssertionError(f"ivr {' '.join(args)} crashed") from out.exception
    return out


def refused(path: Path, *words: str, command: str = "validate") -> str:
    out = run(command, str(path))
    assert out.exit_code == 2, out.output
    assert f"{path}:" in out.output and all(w in out.output for w in words), out.output
    return out.output


# ---- 2: YAML scalars a tag cannot hold ---------------------------------------------------
@pytest.mark.parametrize("line", ["a: !!int x", "title: 2024-02-30", "a: !!timestamp x", "a: !!bool maybe",
                                  "a: !!map x", "a: !!seq x", "a: !!float x", "a: [1, !!int y]",
                                  "a: 99999999999999999999"])
def test_2_bad_yaml_scalars_are_clean_errors_in_every_yaml_reader(tmp_path, line):
    from ivr.config import load_config
    from ivr.knowledge import load_knowledge
    from ivr.orders.rules import load_rules
    path = tmp_path / "x.yaml"
    path.write_text(line + "\n")
    refused(path, "not valid YAML", ":1:")
    for reader in (load_config, load_rules, load_knowledge):
        with pytest.raises(IvrError) as caught:
            reader(str(path))
        assert "not valid YAML" in str(caught.value) and caught.value.where.line == 1


# ---- 3: JSON nested ~1000 deep ----------------------------------------------------------------
def test_3_deeply_nested_json_is_a_clean_error(tmp_path):
    deep = "[" * 1000 + "]" * 1000
    flow = json.dumps({"Version": "2019-10-30", "StartAction": "a", "Actions": [
        {"Identifier": "a", "Type": "DisconnectParticipant", "Parameters": {"x": "DEEP"}}]})
    cases = {"bare.json": deep, "actions.json": '{"Actions":' + deep + "}",
             "content.json": json.dumps({"Name": "n", "Content": flow.replace('"DEEP"', deep)})}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        out = run("validate", str(path))
        assert out.exit_code == 2 and f"{path}:1:1:" in out.output, out.output
    out = run("import", str(tmp_path / "content.json"), "--from", "connect")
    assert out.exit_code == 2 and "nested too deeply" in out.output


# ---- 4: Asterisk -----------------------------------------------------------------------------------
def test_4_asterisk_general_only_goto_chain_and_huge_read_numbers(tmp_path):
    general = tmp_path / "general.conf"
    general.write_text("[general]\nstatic=yes\n")
    refused(general, "no [context] with extensions")
    chain = tmp_path / "chain.conf"
    chain.write_text("".join(f"[c{i}]\nexten => s,1,Goto(c{i + 1},s,1)\n" for i in range(490))
                     + "[c490]\nexten => s,1,Hangup()\n")
    assert run("validate", str(chain)).exit_code in (0, 2)   # a menu or "nested too deeply", no traceback
    read = tmp_path / "read.conf"
    read.write_text("[ivr]\nexten => s,1,Read(choice,hello,1e999,,1e999,1e999)\n same => n,Hangup()\n")
    assert run("validate", str(read)).exit_code == 0
    assert run("audit", str(read)).exit_code in (0, 1)


# ---- 5: numbers from platform files -------------------------------------------------------------
@pytest.mark.parametrize("value", ["1e999", "99999999999999999999", "nan", "-1e999"])
def test_5_huge_and_non_finite_freeswitch_numbers_give_bounded_menus(tmp_path, value):
    text = (REAL / "freeswitch" / "demo_ivr.xml").read_text()
    for attr in ("max-failures", "max-timeouts", " timeout", "digit-len"):
        text = re.sub(f'{attr}="[^"]*"', f'{attr}="{value}"', text)
    path = tmp_path / "demo_ivr.xml"
    path.write_text(text)
    assert run("validate", str(path)).exit_code == 0
    out = run("audit", str(path), "--format", "json")
    assert out.exit_code in (0, 1), out.output
    from ivr.importers import load_any
    menu = load_any(path)
    assert all(n.no_match.retries <= 10 and n.timeout_s <= 86400 for n in menu.nodes.values())


# ---- 6: Connect Name that is not text ----------------------------------------------------------
def test_6_connect_name_of_any_json_type(tmp_path):
    data = json.loads((REAL / "amazon_connect" / "acme_main_AUTO.json").read_text())
    for name in (1, None, [1], {"a": 1}, True):
        data["Name"] = name
        path = tmp_path / "flow.json"
        path.write_text(json.dumps(data))
        assert run("validate", str(path)).exit_code == 0


# ---- 10: special files ------------------------------------------------------------------------------
def test_10_devices_fifos_and_symlinks_to_devices_are_refused_at_once(tmp_path):
    fifo = tmp_path / "menu.yaml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        out = run("validate", str(path))
        assert out.exit_code == 2 and "not a regular file" in out.output, out.output
    folder = tmp_path / "fs"
    folder.mkdir()
    (folder / "demo_ivr.xml").write_text((REAL / "freeswitch" / "demo_ivr.xml").read_text())
    (folder / "zero.xml").symlink_to("/dev/zero")
    (folder / "pipe.xml").symlink_to(fifo)
    assert run("audit", str(folder / "demo_ivr.xml")).exit_code in (0, 1)
    out = run("call", str(MENUS / "maze.yaml"), "--script", str(fifo))
    assert out.exit_code == 2 and "not a regular file" in out.output
