"""`ivr test`: the bundled suites, failure diffs, input errors, generated path tests."""
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree as SafeET

from ivr.cli import cli

ROOT = Path(__file__).resolve().parents[1]
FLOWS = ROOT / "tests" / "flows"
MAZE = ROOT / "menus" / "maze.yaml"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # config.yaml of the project, as in `make test`


def ivr(*args):
    result = CliRunner().invoke(cli, list(map(str, args)))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_bundled_suites_pass_with_coverage_and_junit(tmp_path):
    junit = tmp_path / "flows.xml"
    res = ivr("test", FLOWS, "--junit", junit, "--min-coverage", 95, "--format", "json")
    report = json.loads(res.stdout)
    failed = [(r["file"], r["name"], r["failures"]) for r in report["results"] if not r["passed"]]
    assert res.exit_code == 0, ("if a menu changed on purpose, regenerate its pinned paths (docs/flows.md, "
                                "'Generated path tests')", failed)
    menus = {c["menu"]: c for c in report["coverage"]}
    assert set(menus) == {"maze", "consumer-service", "12351-hotline"}
    for cov in menus.values():
        assert cov["transitions"]["percent"] >= 95, cov["transitions"]["missed"]
    root = SafeET.parse(junit).getroot()
    cases = root.findall("./testsuite[@name!='coverage']/testcase")
    assert len(cases) == report["scenarios"] == len(report["results"])
    assert root.get("failures") == "0"
    assert len(root.findall("./testsuite[@name='coverage']/testcase")) == 3   # one per menu, --min-coverage
    assert {c.get("name") for c in cases} >= {"the person is hidden behind 1, 3, 5, 9 and four adverts"}


def _scenario(tmp_path, text, name="s.yaml"):
    path = tmp_path / name
    path.write_text(text.replace("MENU", str(MAZE)), "utf-8")
    return path


def test_wrong_expectation_fails_with_a_path_diff_and_transcript(tmp_path):
    path = _scenario(tmp_path, """
menu: MENU
name: the person behind the maze
steps:
  - press: 1
  - press: 3
  - press: 5
  - press: 8
expect:
  node: agent
  path: [intro, advert_main, main, advert_account, account, advert_other, other, advert_more, more, agent]
""")
    res = ivr("test", path)
    assert res.exit_code == 1
    out = res.stdout
    assert f"{path}:10:3: caller is at the wrong node" in out
    assert "expected: agent" in out and "actual:   more" in out
    assert "--- expected path" in out and "-agent" in out and "+more" in out
    assert "transcript:" in out and "choose: {'option': 1, 'target': '@repeat'}" in out
    assert "1 failed" in out


def test_failure_in_junit_carries_the_diff(tmp_path):
    path = _scenario(tmp_path, "menu: MENU\nsteps: [{press: 2}]\nexpect: {node: agent}\n")
    junit = tmp_path / "out.xml"
    assert ivr("test", path, "--junit", junit).exit_code == 1
    case = SafeET.parse(junit).getroot().find("./testsuite/testcase")
    failure = case.find("failure")
    assert failure is not None and "caller is at the wrong node" in failure.get("message")
    assert "sales_info" in failure.text


@pytest.mark.parametrize("body,where,words", [
    ("menu: MENU\nsteps: [{press: 1}]\nexpect: {node: agnet}\n", ":3:10:", "unknown node 'agnet'"),
    ("menu: MENU\nsteps: [{press: 1}]\nexpect: {path: [intro, nowhere]}\n", ":3:24:", "unknown node 'nowhere'"),
    ("menu: MENU\nroute: vip\nsteps: []\n", ":2:1:", "unknown route 'vip'"),
    ("menu: no-such-menu.yaml\nsteps: []\n", ":1:1:", "not found"),
    ("menu: MENU\nsteps: [{pres: 1}]\n", ":2:9:", "pres"),
    ("menu: MENU\nsteps: [{press: 1}]\nexpect: {nod: agent}\n", ":3:10:", "unknown field 'nod'"),
    ("menu: MENU\nsteps: [{say: {audio: missing.wav}}]\n", ":2:16:", "missing.wav not found"),
    ("menu: MENU\nsteps: [{press: 1}\n", ":", "not valid YAML"),
    ("menu: MENU\nname: no steps\n", ":1:1:", "needs `steps`"),
    ("id: m\nstart: a\nnodes: {a: {kind: hangup}}\n", ":1:1:", "this is a menu, not a scenario"),
])
def test_bad_scenarios_are_input_errors(tmp_path, body, where, words):
    path = _scenario(tmp_path, body)
    res = ivr("test", path)
    assert res.exit_code == 2
    assert f"{path}{where}" in res.stderr and words in res.stderr
    assert "Traceback" not in res.output


def test_one_bad_file_stops_the_whole_run(tmp_path):
    _scenario(tmp_path, "menu: MENU\nsteps: [{press: 1}]\n", "a-good.yaml")
    _scenario(tmp_path, "menu: MENU\nsteps: []\nexpect: {node: nowhere}\n", "b-bad.yaml")
    for jobs in (1, 2):
        res = ivr("test", tmp_path, "--jobs", jobs)
        assert res.exit_code == 2 and "b-bad.yaml:3:10" in res.stderr and res.stdout == ""


def test_missing_path_and_low_coverage(tmp_path):
    assert ivr("test", tmp_path / "nothing-here").exit_code == 2
    assert ivr("test").exit_code == 2
    path = _scenario(tmp_path, "menu: MENU\nsteps: [{press: 9}]\n")
    junit = tmp_path / "cov.xml"
    res = ivr("test", path, "--min-coverage", 50, "--junit", junit)
    assert res.exit_code == 1 and "below --min-coverage 50 %" in res.stdout
    root = SafeET.parse(junit).getroot()   # a CI that reads only JUnit must see it too
    failure = root.find("./testsuite[@name='coverage']/testcase/failure")
    assert root.get("failures") == "1" and "below --min-coverage 50 %" in failure.get("message")
    assert ivr("test", path, "--min-coverage", 5, "--junit", junit).exit_code == 0
    assert SafeET.parse(junit).getroot().get("failures") == "0"


def test_generated_maze_scenarios_pin_the_menu(tmp_path):
    menu = tmp_path / "maze.yaml"
    shutil.copy(MAZE, menu)
    out = tmp_path / "generated"
    res = ivr("test", "--generate", menu, "-o", out)
    assert res.exit_code == 0, res.output
    files = sorted(out.glob("*.yaml"))
    assert len(files) >= 15
    assert {"worst-longest-time-to-a-person.yaml", "worst-most-actions.yaml"} <= {f.name for f in files}
    res = ivr("test", out, "--format", "json", "--min-coverage", 100)
    report = json.loads(res.stdout)
    assert res.exit_code == 0 and report["failed"] == 0 and report["scenarios"] == len(files)

    # swap two targets in the main menu: 2 now reaches tech tips and 4 sales
    through = {r["file"] for r in report["results"]
               if ["main", "option 1"] in r["fired"] or ["main", "option 2"] in r["fired"]}
    text = menu.read_text("utf-8")
    old2, old4 = '{key: "2", to: sales_info, weight: 0.2}', '{key: "4", to: tech_tips, weight: 0.2}'
    assert text.count(old2) == text.count(old4) == 1
    menu.write_text(text.replace(old2, old2.replace("sales_info", "tech_tips"))
                    .replace(old4, old4.replace("tech_tips", "sales_info")), "utf-8")
    res = ivr("test", out, "--format", "json")
    report = json.loads(res.stdout)
    assert res.exit_code == 1
    failed = [r for r in report["results"] if not r["passed"]]
    assert len(through) >= 2 and {r["file"] for r in failed} == through  # exactly the paths using 2 or 4
    for r in failed:
        assert "the caller took another path" in r["failures"][0]


def test_regenerating_replaces_only_generated_files(tmp_path):
    out = tmp_path / "gen"
    assert ivr("test", "--generate", MAZE, "-o", out).exit_code == 0
    first = {p.name for p in out.glob("*.yaml")}
    (out / "999-stale.yaml").write_text("# Generated by `ivr test --generate old`\nmenu: x\n", "utf-8")
    (out / "mine.yaml").write_text(f"menu: {MAZE}\nsteps: [{{press: 2}}]\n", "utf-8")
    res = ivr("test", "--generate", MAZE, "-o", out, "--max-paths", 3)
    assert res.exit_code == 0 and "stopped at --max-paths 3" in res.stderr
    now = {p.name for p in out.glob("*.yaml")}
    assert "999-stale.yaml" not in now and "mine.yaml" in now and len(now) < len(first) + 1
    assert ivr("test", out, "-j", 1).exit_code == 0


def test_generated_suite_keeps_the_config_it_was_made_with(tmp_path):
    """Timings pinned under one config must not fail under another: --generate
    --config names that config in every scenario; a run's --config serves the
    scenario files that name none."""
    fast = tmp_path / "fast.yaml"
    fast.write_text("timing: {words_per_minute: 220}\n", "utf-8")
    out = tmp_path / "fast"
    assert ivr("test", "--generate", MAZE, "-o", out, "--config", fast).exit_code == 0
    assert all("config: ../fast.yaml" in f.read_text("utf-8") for f in out.glob("*.yaml"))
    assert ivr("test", out).exit_code == 0          # from the project root, whose config.yaml is slower

    default = tmp_path / "default"
    assert ivr("test", "--generate", MAZE, "-o", default).exit_code == 0
    assert ivr("test", default).exit_code == 0
    slow = tmp_path / "slow.yaml"
    slow.write_text("timing: {words_per_minute: 60}\n", "utf-8")
    report = json.loads(ivr("test", default, "--config", slow, "--format", "json").stdout)
    assert report["failed"] > 0 and any("too slow" in r["failures"][0] for r in report["results"] if not r["passed"])


def test_generate_usage_errors(tmp_path):
    assert ivr("test", FLOWS, "-o", tmp_path).exit_code == 2                   # -o without --generate
    assert ivr("test", "--generate", MAZE).exit_code == 2                      # no -o
    assert ivr("test", FLOWS, "--generate", MAZE, "-o", tmp_path).exit_code == 2  # both
    assert ivr("test", "--generate", tmp_path / "none.yaml", "-o", tmp_path).exit_code == 2


def test_parallel_and_serial_runs_agree():
    serial = json.loads(ivr("test", FLOWS / "maze", "-j", 1, "--format", "json").stdout)
    parallel = json.loads(ivr("test", FLOWS / "maze", "-j", 2, "--format", "json").stdout)
    strip = lambda rep: [(r["file"], r["name"], r["passed"], r["path"], r["elapsed_s"]) for r in rep["results"]]
    assert strip(serial) == strip(parallel)
    assert serial["coverage"] == parallel["coverage"]


REAL = ROOT.parent / "shared" / "real_menus"


@pytest.mark.parametrize("real", ["freeswitch/demo_ivr.xml", "twilio/basic_example_ivr.json",
                                  "amazon_connect/acme_main_AUTO.json", "voicexml/jvoicexml_dtmf.vxml"])
def test_generate_from_real_platform_files(tmp_path, real):
    assert (REAL / real).is_file(), f"missing test data {REAL}: see ../shared/README.md"
    out = tmp_path / "gen"
    assert ivr("test", "--generate", REAL / real, "-o", out).exit_code == 0
    res = ivr("test", out, "-j", 1, "--format", "json", "--min-coverage", 100)
    report = json.loads(res.stdout)
    assert res.exit_code == 0, [r["failures"] for r in report["results"] if not r["passed"]]
    assert report["scenarios"] >= 3


def test_parallel_speech_suites_do_not_hang_after_this_process_used_tts(tmp_path):
    """A process that has already spoken (espeak-ng initialised, its threads and
    locks live) then runs speech scenarios in worker processes: forked copies
    of a held lock hung the workers for good; workers now come from a clean
    forkserver. Bounded by the subprocess timeout, so a hang fails the test."""
    import subprocess
    import sys
    text = (FLOWS / "consumer-service" / "speech.yaml").read_text("utf-8")
    text = text.replace("menu: ../../../menus/", f"menu: {ROOT}/menus/").replace("../../../../shared/", f"{ROOT.parent}/shared/")
    copies = []
    for i in range(3):
        copies.append(tmp_path / f"speech-{i}.yaml")
        copies[-1].write_text(text, "utf-8")
    code = ("from ivr.speech.tts import synthesize; synthesize('agent', 'en'); "
            "from ivr.flows.runner import run_files; "
            f"results, _ = run_files({[str(c) for c in copies]!r}, jobs=2); "
            "print(sum(r.passed for r in results), len(results))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    passed, total = map(int, done.stdout.split()[-2:])
    assert total >= 6 and passed == total
