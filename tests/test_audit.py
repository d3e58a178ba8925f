"""ivr audit end to end: acceptance on the bundled menus, report formats,
parallel batches, input errors, fix suggestions, and the HTML page in a real
headless browser."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ivr.audit import audit_files, audit_menu, resolve_packs
from ivr.cli import cli
from ivr.config import DEFAULTS
from ivr.loader import load_menu, load_menu_text

ROOT = Path(__file__).resolve().parents[1]
MENUS = ROOT / "menus"
SHARED = ROOT.parent / "shared"


def run(*args):
    result = CliRunner().invoke(cli, ["audit", *map(str, args)])
    return result.exit_code, result.output


def test_maze_fails_with_the_four_design_faults():
    code, out = run(MENUS / "maze.yaml", "--format", "json")
    assert code == 1
    report = json.loads(out)["menus"][0]
    assert report["passed"] is False
    assert report["metrics"]["max_steps_to_human"] >= 4
    by_rule = {}
    for f in report["findings"]:
        by_rule.setdefault(f["rule"], []).append(f)
    assert any(f["node"] == "main" and f["severity"] == "error" for f in by_rule["human-reachable"])
    assert any(f["evidence"]["outcome"] == "restart" for f in by_rule["no-match-outcome"])
    assert any(f["evidence"]["outcome"] == "disconnect" for f in by_rule["no-input-outcome"])
    assert {f["node"] for f in by_rule["forced-adverts"]} >= {"advert_main"}
    f = by_rule["human-reachable"][0]
    assert f["citation"]["status"] in ("in force", "bill", "standard", "guidance")
    assert f["fix"] and f["evidence"]["path"][0] == "intro"
    assert f["where"]["file"].endswith("maze.yaml") and f["where"]["line"] > 0


@pytest.mark.parametrize("name", ["12351-hotline.yaml", "consumer-service.yaml"])
def test_good_menus_pass_every_pack(name):
    code, out = run(MENUS / name, "--format", "json")
    report = json.loads(out)["menus"][0]
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert code == 0, errors
    assert report["metrics"]["max_steps_to_human"] <= 1
    assert report["metrics"]["max_steps_to_human_key"] <= 1
    assert report["metrics"]["max_steps_to_human_voice"] <= 1
    per_node = report["metrics"]["per_node"]
    assert all(v["steps_to_human"] is not None and "time_to_human_s" in v
               for v in per_node.values() if v["kind"] != "hangup")


def test_every_pack_applies_to_the_matching_menu():
    packs = resolve_packs(None, DEFAULTS)
    hotline = audit_menu(load_menu(MENUS / "12351-hotline.yaml"), packs)
    assert "cn" in hotline.packs and hotline.passed
    service = audit_menu(load_menu(MENUS / "consumer-service.yaml"), packs)
    assert "es" in service.packs and service.passed


def test_sarif_is_2_1_0_with_locations():
    code, out = run(MENUS / "maze.yaml", "--format", "sarif", "--rules", "ivr-core")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == "2.1.0" and "sarif-2.1.0" in doc["$schema"]
    run0 = doc["runs"][0]
    rule_ids = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert "human-reachable" in rule_ids
    for res in run0["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note")
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].endswith("maze.yaml") and loc["region"]["startLine"] >= 1


def test_text_report_and_summary_table_for_many_files():
    code, out = run(MENUS / "consumer-service.yaml", MENUS / "maze.yaml")
    assert code == 1
    assert "PASSED" in out and "FAILED" in out and "2 menu(s)" in out
    table = out.split("ivr audit: 2 menu(s)", 1)[1]
    assert "MegaCorp Telecom" in table and "Northwind Energy" in table   # titles, not only ids


def test_input_errors_exit_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\ntitle: [unclosed\n")
    code, out = run(bad)
    assert code == 2 and "Traceback" not in out and "bad.yaml" in out
    code, out = run(MENUS / "maze.yaml", "--rules", "no-such-pack")
    assert code == 2 and "unknown rule pack" in out


def test_parallel_batch_gives_the_same_results(tmp_path):
    paths = [str(MENUS / n) for n in ("maze.yaml", "consumer-service.yaml", "12351-hotline.yaml")] * 2
    packs = resolve_packs(None, DEFAULTS)
    one = audit_files(paths, packs, jobs=1)
    two = audit_files(paths, packs, jobs=2)
    assert one == two
    assert [r["passed"] for r in one] == [False, True, True] * 2


def test_imported_platform_file_is_audited():
    """A real FreeSWITCH menu goes through the importers and gets findings, not a crash."""
    path = SHARED / "real_menus" / "freeswitch" / "demo_ivr.xml"
    assert path.exists(), "shared data missing: ../shared/real_menus"
    code, out = run(path, "--format", "json", "--rules", "ivr-core")
    assert code in (0, 1), out
    report = json.loads(out)["menus"][0]
    assert report["metrics"]["nodes"] > 1 and isinstance(report["findings"], list)


def test_fix_suggestions_restore_the_one_step_guarantee(tmp_path):
    code, out = run(MENUS / "maze.yaml", "--format", "json", "--fix-suggestions", "--rules", "ivr-core")
    suggestions = json.loads(out)["menus"][0]["fix_suggestions"]
    data = yaml.safe_load((MENUS / "maze.yaml").read_text())
    for s in suggestions:   # merge each snippet into the menu, one level deep per node
        for key, value in yaml.safe_load(s["yaml"]).items():
            if key == "nodes":
                for nid, fields in value.items():
                    data["nodes"].setdefault(nid, {}).update(fields)
            elif isinstance(value, dict):
                data.setdefault(key, {}).update(value)
    for node in data["nodes"].values():   # node-level overrides the suggestion says to remove
        node.pop("no_input", None), node.pop("no_match", None)
    fixed = load_menu_text(yaml.safe_dump(data, allow_unicode=True), "fixed.yaml")
    after = audit_menu(fixed, ["ivr-core"])
    assert after.metrics.summary()["max_steps_to_human"] == 1
    assert not [f for f in after.findings if f.rule in ("human-reachable", "no-input-outcome", "no-match-outcome")]


HOSTILE = """
id: hostile
title: "<script>document.title='pwned'</script> Inc"
language: en
start: main
commands:
  human: {key: "0", say: ["<img src=x onerror=alert(1)>"], to: agent}
nodes:
  main:
    kind: menu
    prompt: "<script>document.body.innerHTML='pwned'</script> For billing press 1."
    barge_in: false
    options:
      - {key: "1", to: "billing"}
  billing:
    kind: menu
    prompt: "</td></tr></table><b id=injected>x</b> press 2"
    options:
      - {key: "2", to: agent}
  agent: {kind: human, prompt: "Connecting <you>"}
"""


@pytest.mark.skipif(shutil.which("chromium") is None and not Path("/usr/bin/chromium").exists(),
                    reason="Debian chromium not installed (scripts/setup.sh installs it)")
def test_html_report_in_headless_chromium_escapes_every_menu_string(tmp_path):
    menu = tmp_path / "hostile.yaml"
    menu.write_text(HOSTILE)
    page = tmp_path / "report.html"
    code, out = run(menu, MENUS / "maze.yaml", "--format", "html", "--output", page)
    assert code == 1, out
    html = page.read_text()
    assert html.count("<script>") == 1 and "&lt;script&gt;" in html   # only the page's own sorting script
    assert "Content-Security-Policy" in html
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    dom = subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    assert "pwned" not in dom.split("<body", 1)[0]   # the title script never ran
    assert "innerHTML='pwned'" in dom                  # ...its text is shown as text
    assert 'id="injected"' not in dom and "<img src=" not in dom
    # the page is the tree with findings linked to nodes
    assert 'class="tree"' in dom and "human-reachable" in dom and 'href="#m1-n' in dom
    assert "advert_main" in dom


def test_benchmark_generator_agrees_with_networkx():
    """The scale benchmark's own check, at a small size: same steps as networkx, the
    designed worst case (human command off on some menus: 2 steps), an audit result."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("audit_scale", ROOT / "benchmarks" / "audit_scale.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    row = bench.one_size(3000, with_nx=True)
    assert row["same_answer"] and row["nodes"] == 3000 and row["max_steps_to_human"] == 2
    assert row["unreachable"] == 0   # a menu the loader would accept


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed (scripts/setup.sh installs it)")
def test_tts_measured_prompt_seconds_replace_the_estimate(tmp_path):
    """With tts.enabled the transfer prompt's seconds come from synthesised speech.
    Run as a separate `ivr audit` process: speech synthesis leaves threads behind
    that must not leak into this test process (later tests fork)."""
    import sys
    config = tmp_path / "tts-on.yaml"   # not config.yaml: that one is read from the cwd by default
    config.write_text(f"tts: {{enabled: true, cache_dir: '{tmp_path / 'tts'}'}}\n")

    def listening(*extra):
        out = subprocess.run([sys.executable, "-c", "from ivr.cli import main; main()", "audit",
                              str(MENUS / "consumer-service.yaml"), "--rules", "ivr-core", "--format", "json",
                              *extra], capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)["menus"][0]["metrics"]["per_node"]["agent"]["listening_to_human_s"]

    estimated, measured = listening(), listening("--config", str(config))
    assert measured > 0 and measured != estimated
    assert list((tmp_path / "tts").iterdir()), "the measured durations are cached"


def test_silence_at_a_knowledge_base_question_is_audited_like_a_menu():
    menu = load_menu(MENUS / "12351-hotline.yaml")
    menu.nodes["ask"].no_input.retries, menu.nodes["ask"].no_input.then = 0, "@hangup"
    result = audit_menu(menu, ["ivr-core"])
    assert ("no-input-outcome", "ask") in {(f.rule, f.node) for f in result.findings}


def test_an_unwritable_output_is_a_clean_input_error(tmp_path):
    target = tmp_path / "no" / "report.html"
    result = subprocess.run([sys.executable, "-c", "from ivr.cli import main; main()", "audit",
                             str(MENUS / "maze.yaml"), "--format", "html", "--output", str(target)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"cannot write {target}: No such file or directory — give a writable --output path" in result.stderr


def test_text_report_colours_verdict_and_severities_only_when_asked():
    """One menu's report is plain lines; on a terminal the verdict and each
    severity carry ANSI colour (red errors, yellow warnings), and nothing else changes."""
    from ivr.reports import envelope
    from ivr.reports.text import text
    packs = resolve_packs(None, DEFAULTS)
    doc = envelope(audit_files([str(MENUS / "maze.yaml")], packs), [], packs, None)
    plain, coloured = text(doc), text(doc, color=True)
    assert "\x1b" not in plain and plain.startswith("FAILED ")
    assert coloured.startswith("\x1b[1;31mFAILED\x1b[0m")
    assert "\x1b[1;31merror  \x1b[0m" in coloured and "\x1b[33mwarning\x1b[0m" in coloured
    import re
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain
