"""`ivr audit --fix` writes the corrected menu (never over the original unless
asked), `--diff` shows the change; the corrected maze passes ivr-core's
reachability rules on a re-audit."""
from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from ivr.audit import audit_menu
from ivr.cli import cli
from ivr.loader import load_menu, load_menu_text

ROOT = Path(__file__).resolve().parents[1]
REACHABILITY = {"human-reachable", "loop-without-exit", "dead-end", "unreachable-node", "no-input-outcome",
                "no-match-outcome"}


def _audit(*args: str):
    return CliRunner().invoke(cli, ["audit", *args])


def _maze(tmp_path: Path) -> Path:
    path = tmp_path / "maze.yaml"
    shutil.copy(ROOT / "menus" / "maze.yaml", path)
    return path


def test_fix_writes_a_corrected_copy_that_passes_ivr_core(tmp_path):
    maze = _maze(tmp_path)
    before = maze.read_bytes()
    result = _audit(str(maze), "--rules", "ivr-core", "--fix")
    assert result.exit_code == 1            # the menu as given still fails
    assert maze.read_bytes() == before      # never overwritten without --in-place
    fixed = tmp_path / "maze.fixed.yaml"
    assert f"wrote {fixed}" in result.stderr and "re-audit of the corrected menu: no errors" in result.stderr
    menu = load_menu(fixed)
    after = audit_menu(menu, ["ivr-core"])
    assert not {f.rule for f in after.findings} & REACHABILITY, after.findings
    assert after.passed and after.metrics.summary()["max_steps_to_human"] == 1
    assert after.metrics.summary()["max_steps_to_human_voice"] == 1
    # a re-audit through the command agrees
    assert _audit(str(fixed), "--rules", "ivr-core").exit_code == 0
    # only what was needed changed: the file's comments and the rest of the menu are kept
    text = fixed.read_text("utf-8")
    assert text.startswith("# yaml-language-server") and '# The "IVR maze"' in text
    assert menu.nodes["main"].options[0].key == "1" and menu.nodes["intro"].duration_s == 30


def test_diff_alone_prints_the_change_and_writes_nothing(tmp_path):
    maze = _maze(tmp_path)
    result = _audit(str(maze), "--rules", "ivr-core", "--diff")
    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maze.yaml"]
    diff = result.stdout
    assert diff.startswith(f"--- {maze}\n+++ {maze} (fixed)\n")
    assert '+  human: {key: "0", say: [agent, operator, representative], to: agent}' in diff
    assert '-  no_input: {retries: 0, then: "@hangup"}' in diff and '+  no_input: {retries: 2, then: "@human"}' in diff
    assert "+      To speak to a person at any time, press 0 or say agent." in diff
    assert "FAILED" not in diff             # the diff replaces the report on stdout


def test_in_place_replaces_the_menu_only_when_asked(tmp_path):
    maze = _maze(tmp_path)
    assert _audit(str(maze), "--rules", "ivr-core", "--fix", "--fix-output", str(tmp_path / "out.yaml")).exit_code == 1
    assert _audit(str(maze), "--rules", "ivr-core", "--fix", "--in-place").exit_code == 1
    assert maze.read_text("utf-8") == (tmp_path / "out.yaml").read_text("utf-8")
    assert _audit(str(maze), "--rules", "ivr-core").exit_code == 0


def test_fix_options_that_do_not_fit_are_usage_errors(tmp_path):
    maze = _maze(tmp_path)
    for args in (["--in-place"], ["--fix-output", "x.yaml"], ["--fix", "--in-place", "--fix-output", "x.yaml"],
                 ["--fix", "--fix-output", str(tmp_path / "x.yaml"), str(ROOT / "menus" / "consumer-service.yaml")]):
        result = _audit(str(maze), *args)
        assert result.exit_code == 2 and "Traceback" not in result.output, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["maze.yaml"]


def test_a_good_menu_has_nothing_to_fix(tmp_path):
    menu = tmp_path / "consumer-service.yaml"
    shutil.copy(ROOT / "menus" / "consumer-service.yaml", menu)
    result = _audit(str(menu), "--rules", "ivr-core", "--fix")
    assert result.exit_code == 0 and "nothing to fix" in result.stderr
    assert not (tmp_path / "consumer-service.fixed.yaml").exists()


def test_a_platform_file_is_fixed_into_yaml_and_never_replaced(tmp_path):
    source = tmp_path / "demo_ivr.xml"
    shutil.copy(ROOT.parent / "shared" / "real_menus" / "freeswitch" / "demo_ivr.xml", source)
    refused = _audit(str(source), "--rules", "ivr-core", "--fix", "--in-place")
    assert refused.exit_code == 2 and "not a YAML menu" in refused.stderr
    assert _audit(str(source), "--rules", "ivr-core", "--fix").exit_code in (0, 1)
    fixed = tmp_path / "demo_ivr.fixed.yaml"
    menu = load_menu(fixed)
    assert menu.commands["human"].key == "0"


def test_a_chinese_menu_is_announced_in_chinese():
    text = """
id: zh
title: 测试
language: zh-CN
start: main
nodes:
  main:
    kind: menu
    prompt: 查询请按1。
    options:
      - {key: "1", to: info}
  info: {kind: self_service, prompt: 答案。, answer: 好。, next: main}
  agent: {kind: human, prompt: 正在转接。}
"""
    from ivr.fixes import fix_text
    menu = load_menu_text(text, "zh.yaml")
    fixed, done = fix_text(menu, audit_menu(menu, ["ivr-core"]).findings, text)
    after = load_menu_text(fixed, "zh.yaml")
    assert after.nodes["main"].prompt.startswith("转人工请按0或说转人工。")
    assert after.commands["human"].phrases == ["转人工", "人工", "人工服务"]
    assert not {f.rule for f in audit_menu(after, ["ivr-core"]).findings} & REACHABILITY
