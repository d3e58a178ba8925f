"""ivr crawl over real SIP: a line that is not ivr (sipp UAS playing real
recordings, keys by SIP INFO, an unannounced 0 to hold music), `ivr serve`
running a bundled-style menu, and targets that misbehave. Loopback only."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from crawl_sipp import build, start_uas  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOUNDS = Path("/usr/share/asterisk/sounds/en/invalid.wav")
MOH = Path("/usr/share/asterisk/moh/macroform-robot_dity.wav")

needs_sipp = pytest.mark.skipif(shutil.which("sipp") is None or not SOUNDS.is_file() or not MOH.is_file(),
                                reason="needs sip-tester, asterisk-core-sounds-en-wav, asterisk-moh-opsound-wav "
                                       "(scripts/setup.sh installs them)")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def crawl(*args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ivr", "crawl", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@needs_sipp
def test_crawl_maps_a_line_that_is_not_ivr_and_finds_the_hidden_person(tmp_path):
    scenario = build(ROOT / "tests/data/crawl/nonivr_line.yaml", tmp_path)
    port = free_port()
    uas = start_uas(scenario, port, 20000 + port % 1000 * 20)
    try:
        time.sleep(1.0)
        out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
        run = crawl(f"sip:line@127.0.0.1:{port}", "-o", str(out), "--report", str(report), "--dtmf", "info",
                    "--keys", "0123*", "--calls", "1", "--pace", "0.2", "--no-transcribe")
    finally:
        uas.terminate()
        uas.wait(10)
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads(report.read_text())
    kinds = sorted(n["kind"] for n in data["nodes"])
    # main, billing (a recorded prompt), the recorded message before main, hold music (a person)
    assert kinds == ["announcement", "announcement", "human", "menu", "menu"] or kinds == ["announcement", "human", "menu", "menu"], data["nodes"]
    start = next(n for n in data["nodes"] if n["path"] == [])
    edges = {(e["from"], e["key"]): e["to"] for e in data["edges"]}
    human = next(n["id"] for n in data["nodes"] if n["kind"] == "human")
    assert edges[(start["id"], "0")] == human
    billing = edges[(start["id"], "1")]
    assert edges[(billing, "*")] == start["id"]          # back to a known node, not a new one
    assert edges[(start["id"], "3")] in (start["id"],) or data["nodes"]  # a wrong key: replay after "invalid"
    assert 5 < start["duration_s"] < 8                    # the espeak prompt lasts ~6.3 s
    check = subprocess.run([sys.executable, "-m", "ivr", "validate", str(out)], cwd=ROOT, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


@needs_sipp
@pytest.mark.parametrize("kind, stopped", [("never-answers", "did not answer"),
                                           ("hangs-up", "played nothing"),
                                           ("music", "")])
def test_misbehaving_targets_end_within_budget_with_a_clear_report(tmp_path, kind, stopped):
    from crawl_sipp import fault
    scenario = fault(kind, tmp_path)
    port = free_port()
    uas = start_uas(scenario, port, 20000 + port % 1000 * 20)
    try:
        time.sleep(1.0)
        report = tmp_path / "crawl.json"
        started = time.monotonic()
        run = crawl(f"sip:line@127.0.0.1:{port}", "-o", str(tmp_path / "line.yaml"), "--report", str(report),
                    "--ring-timeout", "4", "--max-minutes", "1", "--no-transcribe", timeout=180)
        took = time.monotonic() - started
    finally:
        uas.terminate()
        uas.wait(10)
    assert "Traceback" not in run.stderr, run.stderr[-2000:]
    assert took < 90
    data = json.loads(report.read_text())
    if kind == "music":   # music from the first second: a queue, no menu to explore
        assert [n["kind"] for n in data["nodes"]] == ["human"], data["nodes"]
        assert run.returncode == 0
    else:
        assert run.returncode == 1, run.stderr
        assert stopped in data["stopped"], data["stopped"]
        assert data["nodes"] == [] and data["calls"] == 1
