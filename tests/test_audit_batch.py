"""Batch audits as a regulator runs them: folders of mixed files (bundled
menus, real platform files read in place, non-menus, a broken file), CSV,
the one JSON envelope, SARIF, baselines, the audit history, the HTML overview
in headless Chromium, and one bad file never hiding the others."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ivr.cli import cli

ROOT = Path(__file__).resolve().parents[1]
MENUS = ROOT / "menus"
REAL = ROOT.parent / "shared" / "real_menus"
BUNDLED = ("12351-hotline.yaml", "consumer-service.yaml", "maze.yaml")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian chromium not installed (scripts/setup.sh installs it)")


def ivr(*args):
    """The CLI as a user runs it: stdout and stderr apart."""
    result = subprocess.run([sys.executable, "-m", "ivr", *map(str, args)], capture_output=True, text=True,
                            timeout=300, cwd=ROOT)
    return result.returncode, result.stdout, result.stderr


def company(folder: Path, barge_in_main: bool = True, silence_hangs_up_at: str = "") -> Path:
    """A copy of consumer-service.yaml with a planted change."""
    text = (MENUS / "consumer-service.yaml").read_text("utf-8")
    lines = text.splitlines()
    at = lines.index("  main:") + 1   # `kind: menu` of node main
    if not barge_in_main:
        lines.insert(at + 1, "    barge_in: false")
    if silence_hangs_up_at:
        i = lines.index(f"  {silence_hangs_up_at}:") + 1
        lines.insert(i + 1, "    no_input: {retries: 0, then: '@hangup'}")
    path = folder / "company.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "notes.txt").write_text("Menus received in March; see the spreadsheet.\n")
    (folder / "broken.yaml").write_text("id: broken\ntitle: Broken\nstart: main\nnodes: [unclosed\n")
    return folder


def test_a_folder_of_mixed_files_to_csv(tmp_path):
    folder = mixed_folder(tmp_path)
    code, out, err = ivr("audit", MENUS, REAL, folder, "--format", "csv")
    assert code == 2, err   # an input failed: 2, never 1
    rows = {Path(r["file"]).name: r for r in csv.DictReader(io.StringIO(out))
            if "dispatch" not in r["file"]}   # menus/dispatch/12351-hotline.yaml: dispatch rules, skipped
    assert any(r["file"].endswith("dispatch/12351-hotline.yaml") and r["status"] == "skipped"
               for r in csv.DictReader(io.StringIO(out)))
    for name in BUNDLED:
        assert rows[name]["status"] == "audited" and rows[name]["verdict"] in ("pass", "fail")
    assert rows["maze.yaml"]["verdict"] == "fail" and rows["maze.yaml"]["verdict:ivr-core"] == "fail"
    assert rows["maze.yaml"]["title"] == "MegaCorp Telecom (the maze)" and rows["maze.yaml"]["max_steps_key"] == "4"
    assert rows["consumer-service.yaml"]["verdict:cn"] == "not applicable"
    assert rows["maze.yaml"]["worst_finding"].startswith("error ")
    for name in ("demo_ivr.xml", "basic_example_ivr.json", "acme_main_AUTO.json", "jvoicexml_dtmf.vxml"):
        assert rows[name]["status"] == "audited", rows[name]
    assert rows["demo-ivr.xml"]["status"] == "skipped" and "phrase macros" in rows["demo-ivr.xml"]["message"]
    assert rows["notes.txt"]["status"] == "skipped"
    assert rows["broken.yaml"]["status"] == "input error" and "not valid YAML" in rows["broken.yaml"]["message"]
    assert "skipped: " in err and "notes.txt" in err and "Traceback" not in err


def test_one_bad_file_never_hides_the_others_and_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nnodes: [unclosed\n")
    files = [MENUS / "maze.yaml", MENUS / "consumer-service.yaml", bad]
    for jobs in ("1", "2"):
        code, out, err = ivr("audit", *files, "--format", "json", "--jobs", jobs)
        doc = json.loads(out)
        assert code == 2 and [m["menu"] for m in doc["menus"]] == ["maze", "consumer-service"]
        assert doc["errors"][0]["file"] == str(bad) and doc["errors"][0]["error"] == "input"
        assert "bad.yaml:3:1" in doc["errors"][0]["message"] and "Traceback" not in err
    code, out, _ = ivr("audit", *files, "--format", "sarif")
    notes = json.loads(out)["runs"][0]["invocations"][0]
    assert code == 2 and not notes["executionSuccessful"]
    assert notes["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(bad)
    code, out, err = ivr("audit", *files)
    assert code == 2 and "cannot audit" in out and "PASSED" in out and "FAILED" in out
    code, out, err = ivr("validate", *files, "--format", "json")
    doc = json.loads(out)
    assert code == 2 and [f["valid"] for f in doc["files"]] == [True, True, False]


def test_a_crash_inside_one_menu_is_an_internal_error_of_that_file(tmp_path, monkeypatch):
    """A bug in a rule (simulated by making one rule raise) is reported for that file
    with its type and message and "please report", never as a traceback or a finding."""
    import ivr.rules.barge_in as rule

    def broken(menu, metrics, ctx):
        if menu.id == "maze":
            raise ZeroDivisionError("planted bug")
        return []
    monkeypatch.setattr(rule, "check", broken)
    result = CliRunner().invoke(cli, ["audit", str(MENUS / "maze.yaml"), str(MENUS / "consumer-service.yaml"),
                                      "--format", "json"])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert [m["menu"] for m in doc["menus"]] == ["consumer-service"]
    err = doc["errors"][0]
    assert err["error"] == "internal" and "ZeroDivisionError: planted bug" in err["message"]
    assert "please report" in err["message"]


def test_json_is_one_envelope_whatever_the_number_of_files():
    shapes = []
    for files in ([MENUS / "maze.yaml"], [MENUS / n for n in BUNDLED]):
        doc = json.loads(ivr("audit", *files, "--format", "json")[1])
        shapes.append(sorted(doc))
        assert doc["format"] == "ivr-audit" and doc["version"] == 1 and len(doc["menus"]) == len(files)
        assert doc["summary"]["menus"] == len(files) and doc["skipped"] == [] and doc["errors"] == []
    assert shapes[0] == shapes[1]


def test_glob_and_list_file_inputs(tmp_path):
    listing = tmp_path / "menus.txt"
    listing.write_text(f"# the companies of this round\n{MENUS / 'maze.yaml'}\n\n{REAL / 'twilio'}\n")
    doc = json.loads(ivr("audit", f"@{listing}", str(MENUS / "*.yaml"), "--format", "json")[1])
    files = [Path(m["source"]).name for m in doc["menus"]]
    assert files == ["maze.yaml", "basic_example_ivr.json", "12351-hotline.yaml", "consumer-service.yaml"]
    code, _, err = ivr("audit", str(tmp_path / "*.yaml"))
    assert code == 2 and "no such file" in err


def test_baseline_names_exactly_what_a_planted_change_added_and_removed(tmp_path):
    folder = mixed_folder(tmp_path)
    company(folder, barge_in_main=False)   # run 1: a prompt callers cannot interrupt
    code, out, _ = ivr("audit", MENUS, folder, "--format", "json", "--output", tmp_path / "before.json")
    assert code == 2
    company(folder, silence_hangs_up_at="billing")   # run 2: that fixed, silence at billing now hangs up
    code, out, err = ivr("audit", MENUS, folder, "--format", "json", "--baseline", tmp_path / "before.json")
    doc = json.loads(out)
    new = [(Path(m["source"]).name, f["rule"], f["node"], f["pack"]) for m in doc["menus"] for f in m["findings"]
           if f["baseline"] == "new"]
    fixed = {(Path(m["source"]).name, f["rule"], f["node"]) for m in doc["menus"] for f in m["baseline"]["fixed"]}
    assert fixed == {("company.yaml", "barge-in", "main")}
    # silence hanging up breaks the rule of each pack that has it, and nothing else
    assert sorted(new) == [("company.yaml", "no-input-outcome", "billing", pack) for pack in ("gethuman", "ivr-core")]  # es: Ley 10/2025 art. 8 is not about silence (issue 14)
    mine = next(m for m in doc["menus"] if m["source"].endswith("company.yaml"))
    assert mine["baseline"]["verdict_before"] == "fail" and mine["baseline"]["verdict"] == "fail"
    assert all(m["baseline"]["new"] == 0 and not m["baseline"]["fixed"] for m in doc["menus"] if m is not mine)
    assert doc["baseline"]["fixed"] == 1 and doc["baseline"]["new"] == len(new) >= 1
    # the same comparison in CSV, text and SARIF
    code, out, _ = ivr("audit", MENUS, folder, "--format", "csv", "--baseline", tmp_path / "before.json")
    row = next(r for r in csv.DictReader(io.StringIO(out)) if r["file"].endswith("company.yaml"))
    assert row["fixed_findings"] == "1" and row["new_findings"] == str(len(new)) and row["verdict_before"] == "fail"
    code, out, _ = ivr("audit", MENUS, folder, "--baseline", tmp_path / "before.json")
    assert "fixed: barge-in (gethuman) at main" in out and "new: no-input-outcome" in out
    code, out, _ = ivr("audit", MENUS, folder, "--format", "sarif", "--baseline", tmp_path / "before.json")
    states = [(r["ruleId"], r["baselineState"]) for r in json.loads(out)["runs"][0]["results"]]
    assert ("barge-in", "absent") in states and ("no-input-outcome", "new") in states
    assert {s for _, s in states} == {"new", "unchanged", "absent"}


def test_audit_history_shows_a_company_trend(tmp_path):
    db = tmp_path / "audits.db"
    folder = tmp_path / "co"
    folder.mkdir()
    company(folder, barge_in_main=False)
    assert ivr("audit", folder, "--db", db, "--rules", "gethuman")[0] == 1
    company(folder)
    assert ivr("audit", folder, "--db", db, "--rules", "gethuman")[0] == 0
    (folder / "company.yaml").write_text("id: consumer-service\nnodes: [oops\n")
    assert ivr("audit", folder, "--db", db, "--rules", "gethuman")[0] == 2
    code, out, err = ivr("report", "--audits", db, "--format", "json")
    assert code == 0, err
    (trend,) = json.loads(out)
    assert trend["menu"] == "consumer-service" and [r["verdict"] for r in trend["runs"]] == ["fail", "pass", "error"]
    assert trend["runs"][1]["file_changed"] and trend["runs"][0]["errors"] >= 1 and trend["runs"][1]["errors"] == 0
    code, out, _ = ivr("report", "--audits", db)
    assert "Northwind Energy customer service" in out and out.count(" run ") >= 3
    code, out, _ = ivr("report", "--audits", db, "--format", "html")
    assert code == 0 and out.count('class="fail"') == 1 and out.count('class="error"') == 1 and "file changed" in out
    with sqlite3.connect(db) as conn:   # every finding is kept, per run
        assert conn.execute("SELECT count(*) FROM audit_findings WHERE rule = 'barge-in'").fetchone()[0] == 1


HEAD = """start: main
commands:
  human: {key: "0", say: [agent], to: agent}
nodes:
  main:
    kind: menu
"""   # the top of the small test menus below; their node `main` goes on from here


def test_validate_reports_six_problems_of_three_stages_in_one_run(tmp_path):
    path = tmp_path / "six.yaml"
    path.write_text("id: six\ntitle: Six problems\n" + HEAD + """    prompt: "For billing press 1, for sales press 2."
    colour: blue
    options:
      - {key: "1", to: billing}
      - {key: "1", to: sales}
  billing:
    kind: announcement
    prompt: "Billing is open."
  sales:
    kind: menu
    prompt: ""
    options:
      - {key: "3", to: agent}
  refunds:
    kind: menuu
    prompt: "Refunds."
  agent: {kind: human, prompt: "Connecting you."}
  agent: {kind: human, prompt: "Again."}
""")
    code, out, err = ivr("validate", path, "--format", "json")
    assert code == 2
    problems = {(e["code"], e["line"]) for e in json.loads(out)["files"][0]["errors"]}
    assert problems == {("unknown-field", 10), ("key-twice", 13), ("missing-next", 14), ("empty-prompt", 17),
                        ("bad-value", 23), ("duplicate-key", 26)}, problems
    code, _, err = ivr("validate", path)
    assert err.count(str(path)) == 6 and "Traceback" not in err


def test_quiet_did_you_mean_and_shell_completion():
    code, out, err = ivr("audit", MENUS, "--quiet")
    assert code == 1 and err == "" and "MegaCorp" in out and "PASSED" not in out
    code, _, err = ivr("audit", MENUS / "maze.yaml", "--rules", "ivr-cor")
    assert code == 2 and "did you mean 'ivr-core'?" in err
    completion = subprocess.run([sys.executable, "-c", "from ivr.cli import main; main()"], capture_output=True,
                                text=True, env={"_IVR_COMPLETE": "bash_source", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert "_ivr_completion" in completion.stdout and "complete " in completion.stdout


def test_csv_cells_never_run_as_spreadsheet_formulas(tmp_path):
    path = tmp_path / "formula.yaml"
    text = (MENUS / "consumer-service.yaml").read_text("utf-8")
    path.write_text(text.replace("title: Northwind Energy customer service", "title: \"=HYPERLINK('http://x')\""))
    out = ivr("audit", path, "--format", "csv")[1]
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["title"] == "'=HYPERLINK('http://x')"


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp_path / 'profile'}", *args], capture_output=True, text=True,
                          timeout=180)


@needs_chromium
def test_html_overview_in_headless_chromium(tmp_path):
    folder = mixed_folder(tmp_path)
    page = tmp_path / "report.html"
    code, _, err = ivr("audit", MENUS, folder, "--format", "html", "--output", page)
    assert code == 2, err
    html = page.read_text("utf-8")
    assert html.count("<svg") == len(BUNDLED) and "<foreignObject" not in html
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert 'id="overview"' in dom and 'href="#menu-2"' in dom and 'id="menu-2"' in dom
    assert "broken.yaml" in dom and "input error" in dom and "skipped" in dom
    assert "human-reachable" in dom and " nodes" in dom and "one fix:" in dom   # grouped: one row per rule
    assert dom.count('class="diagram"') == len(BUNDLED)
    # the page's own script sorts: a copy clicks "errors" twice (most first); CSP removed so the click may run
    clicks = ("<script>var h = Array.from(document.querySelectorAll('#overview th'))"
              ".find(function (t) { return t.textContent === 'errors'; }); h.click(); h.click();</script></body>")
    probe = tmp_path / "probe.html"
    probe.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
                     .replace("</body>", clicks), "utf-8")
    dom = chromium(tmp_path, "--dump-dom", probe.as_uri()).stdout
    body = dom.split('id="overview"', 1)[1].split("</tbody>", 1)[0]
    order = re.findall(r'href="#(menu-\d+|error-\d+)"', body)
    assert order[0] == "menu-2" and order[-1] == "error-0", order   # the maze has most errors; no figures last
    assert 'data-dir="desc"' in body
    shot = tmp_path / "overview.png"
    chromium(tmp_path, "--hide-scrollbars", "--window-size=1400,1000", f"--screenshot={shot}", page.as_uri())
    assert shot.stat().st_size > 10_000


def test_diagram_svg_is_rebuilt_from_drawing_elements_only():
    from ivr.reports.diagram import clean_svg
    hostile = ('<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
               '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg" '
               'width="10pt" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script>'
               '<g transform="translate(4 4)"><a href="javascript:alert(3)"><text x="1">&lt;b&gt;menu</text></a>'
               '<foreignObject><div>x</div></foreignObject><polygon fill="url(http://evil.example/x)" points="0,0"/>'
               '</g></svg>')
    svg = clean_svg(hostile)
    for gone in ("alert", "script", "onload", "href", "foreignObject", "evil.example", 'width="10pt"'):
        assert gone not in svg, gone
    assert 'transform="translate(4 4)"' in svg and "&lt;b&gt;menu" in svg and 'viewBox="0 0 10 10"' in svg


def test_the_page_says_so_when_graphviz_is_missing(monkeypatch):
    import ivr.graph
    from ivr.loader import load_menu
    from ivr.reports.diagram import diagram_for
    monkeypatch.setattr(ivr.graph.shutil, "which", lambda name: None)
    picture = diagram_for(load_menu(MENUS / "maze.yaml"))
    assert "svg" not in picture and "Graphviz 'dot' is not installed" in picture["missing"]


def test_menu_text_is_shown_as_text_in_the_terminal_report(tmp_path):
    """Rich markup in a menu ([/x], [link=...]) is printed literally, never parsed (nor a crash)."""
    path = tmp_path / "markup.yaml"
    text = (MENUS / "consumer-service.yaml").read_text("utf-8")
    path.write_text(text.replace("title: Northwind Energy customer service",
                                 "title: '[link=https://evil.example]click[/link] [/x] Inc'"))
    code, out, err = ivr("audit", path, MENUS / "maze.yaml")
    assert code == 1 and "Traceback" not in err
    assert "menu consumer-service ([link=https://evil.example]click[/link] [/x] Inc)" in out
    assert out.split("ivr audit: 2 menu(s)", 1)[1].count("evil.example") == 1   # the summary table too (may wrap)


def test_special_files_in_a_folder_are_skipped_not_read(tmp_path):
    """A FIFO (which would block a reader for ever) and a symlink to /dev/zero (endless) beside a menu."""
    import os
    shutil.copy(MENUS / "consumer-service.yaml", tmp_path / "menu.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "zero.xml").symlink_to("/dev/zero")
    result = CliRunner().invoke(cli, ["validate", str(tmp_path), "--format", "json"])
    doc = json.loads(result.stdout)
    assert result.exit_code == 0 and [Path(f["file"]).name for f in doc["files"]] == ["menu.yaml"]
    assert {Path(s["file"]).name: s["reason"] for s in doc["skipped"]} == {
        "pipe.yaml": "not a regular file", "zero.xml": "not a regular file"}


def test_a_broken_option_hides_neither_its_node_nor_other_problems():
    """The option the schema refuses is set aside; the node's other options still count (no false
    "menu has no options"), and a problem elsewhere is still found in the same run."""
    from ivr.errors import MenuError
    from ivr.loader import load_menu_text
    text = "id: p\ntitle: P\n" + HEAD + """    prompt: "Press 1 or 2."
    options:
      - {key: "1", to: info}
      - {key: "2"}
  info: {kind: announcement, prompt: "Open."}
  agent: {kind: human, prompt: "Connecting."}
"""
    with pytest.raises(MenuError) as caught:
        load_menu_text(text, "p.yaml")
    assert sorted(e.code for e in caught.value.errors) == ["missing-field", "missing-next"]


def test_json_and_sarif_are_the_bytes_the_standard_library_writes():
    """orjson writes the reports (quicker); they must be what json.dumps(indent=2) wrote."""
    from ivr.audit import audit_files
    from ivr.reports import dumps, envelope, public
    from ivr.reports.sarif import sarif
    paths = sorted(str(p) for p in MENUS.glob("*.yaml")) + [str(REAL / "amazon_connect" / "acme_main_AUTO.json")]
    doc = envelope(audit_files(paths, ["ivr-core", "cn", "es", "eu", "gethuman", "design"]))
    for data in (public(doc), sarif(doc), {"中文": [1.5, 1e16, -0.0, None, True, {}, []], "n": 2 ** 62}):
        assert dumps(data) == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    assert dumps({"big": 2 ** 70}) == '{\n  "big": 1180591620717411303424\n}\n'   # beyond orjson: json writes it
