"""ivr crawl over real SIP: a line that is not ivr (sipp UAS playing real
recordings, keys by SIP INFO, an unannounced 0 to hold music), `ivr serve`
running a bundled-style menu, and targets that misbehave. Loopback only."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from crawl_sipp import build, start_uas  # noqa: E402
from telephony_peers import free_port, need, need_sounds  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def sipp_and_sounds():
    need("sipp")    # missing packages fail naming them, never a skip
    need_sounds()


def start_serve(menu: Path, port: int, tmp: Path, speech: bool = False) -> subprocess.Popen:
    """`ivr serve` on 127.0.0.1:`port`, logging to a file (an unread pipe would fill and stall it)."""
    log = tmp / "serve.log"
    serve = subprocess.Popen([sys.executable, "-m", "ivr", "serve", str(menu), "--listen", f"127.0.0.1:{port}",
                              "--no-record"] + ([] if speech else ["--no-speech"]),
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    deadline = time.monotonic() + 120
    while "listening" not in log.read_text() and time.monotonic() < deadline and serve.poll() is None:
        time.sleep(0.2)
    return serve


def crawl(*args: str, timeout: float = 400) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ivr", "crawl", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.usefixtures("sipp_and_sounds")
def test_crawl_maps_a_line_that_is_not_ivr_and_finds_the_hidden_person(tmp_path):
    scenario = build(ROOT / "tests/data/crawl/nonivr_line.yaml", tmp_path)
    port = free_port()
    uas = start_uas(scenario, port, 20000 + port % 1000 * 20)
    try:
        time.sleep(1.0)
        out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
        run = crawl(f"sip:line@127.0.0.1:{port}", "-o", str(out), "--report", str(report), "--dtmf", "info",
                    "--keys", "0123*", "--calls", "2", "--pace", "0.2", "--no-transcribe", "--max-minutes", "15",
                    timeout=900)
    finally:
        uas.terminate()
        uas.wait(10)
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads(report.read_text())
    kinds = sorted(n["kind"] for n in data["nodes"])
    # main, billing (a recorded prompt), the recorded "more information" message before main,
    # the recorded "invalid" message before main, hold music (a person)
    assert kinds == ["announcement", "announcement", "human", "menu", "menu"], data["nodes"]
    start = next(n for n in data["nodes"] if n["path"] == [])
    edges = {(e["from"], e["key"]): e["to"] for e in data["edges"]}
    human = next(n["id"] for n in data["nodes"] if n["kind"] == "human")
    assert edges[(start["id"], "0")] == human                    # the unannounced 0: music on hold
    billing = edges[(start["id"], "1")]
    assert edges[(billing, "*")] == start["id"]                  # back to a known node, not a new one
    assert all(edges[(billing, k)] == billing for k in "0123")  # wrong keys replay billing
    info, invalid = edges[(start["id"], "2")], edges[(start["id"], "3")]
    assert info != invalid and edges[(start["id"], "*")] == invalid    # one "invalid" message for both keys
    assert edges[(info, "next")] == edges[(invalid, "next")] == start["id"]
    assert 5.5 < start["duration_s"] < 7.5                       # the espeak prompt lasts 6.3 s
    assert any("key 0" in u and "announced" in u for u in data["unsure"])   # no transcript: undecidable
    yaml_text = out.read_text()
    assert "# crawled by ivr crawl from sip:line@127.0.0.1" in yaml_text
    check = subprocess.run([sys.executable, "-m", "ivr", "validate", str(out)], cwd=ROOT, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


@pytest.mark.usefixtures("sipp_and_sounds")
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


def test_crawl_of_ivr_serve_recovers_the_menu(tmp_path):
    """A real `ivr serve` subprocess running a small menu (the JVoiceXML keypad
    menu, imported), crawled over SIP with RFC 4733 keys: every node and key edge."""
    from ivr.crawl.truth import score
    from ivr.menu_yaml import dump_menu
    from ivr.sources import open_menu
    source = ROOT.parent / "shared/real_menus/voicexml/jvoicexml_dtmf.vxml"
    menu_file = tmp_path / "menu.yaml"
    menu_file.write_text(dump_menu(open_menu(str(source))))
    port = free_port()
    serve = start_serve(menu_file, port, tmp_path)
    try:
        out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
        run = crawl(f"sip:menu@127.0.0.1:{port}", "-o", str(out), "--report", str(report), "--calls", "2",
                    "--pace", "0.2", "--no-transcribe", "--max-minutes", "10", timeout=700)
    finally:
        serve.terminate()
        serve.wait(20)
    assert run.returncode == 0, run.stderr[-2000:]
    data = json.loads(report.read_text())
    menu, crawled = open_menu(str(menu_file)), open_menu(str(out))
    result = score(menu, crawled, {n["id"]: tuple(n["path"]) for n in data["nodes"]})
    assert result["node_recall"] == 1.0 and result["edge_recall"] == 1.0, result


def test_sigterm_keeps_the_partial_map(tmp_path):
    import signal
    port = free_port()
    serve = start_serve(ROOT / "menus/consumer-service.yaml", port, tmp_path)
    try:
        out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
        crawler = subprocess.Popen([sys.executable, "-m", "ivr", "crawl", f"sip:1000@127.0.0.1:{port}", "-o", str(out),
                                    "--report", str(report), "--calls", "2", "--pace", "0.2", "--no-transcribe"],
                                   cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for line in crawler.stderr:
            if line.startswith("calls 2,"):
                break
        crawler.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, err = crawler.communicate(timeout=120)
        assert time.monotonic() - started < 60      # calls in progress hang up at once
    finally:
        serve.terminate()
        serve.wait(20)
    assert crawler.returncode == 1 and "Traceback" not in err, err
    data = json.loads(report.read_text())
    assert "SIGTERM" in data["stopped"] and data["nodes"]
    assert "PARTIAL MAP: interrupted (SIGTERM)" in out.read_text()


def test_try_speech_says_words_into_a_real_sip_call(tmp_path):
    """--try-speech over SIP: synthesised words sent as the caller's RTP audio
    to `ivr serve` (speech on, its own recogniser): "agent" reaches the hold
    music, and "English" reaches the prompt key 1 reaches (same fingerprint)."""
    from ivr.crawl import fingerprint as fpr
    from ivr.crawl.explore import Budget, Crawler
    from ivr.crawl.run import speaker
    from ivr.crawl.sip_line import SipLine
    port = free_port()
    serve = start_serve(ROOT / "menus/consumer-service.yaml", port, tmp_path, speech=True)
    line = SipLine(f"sip:1000@127.0.0.1:{port}")
    crawler = Crawler(line, Budget(pace_s=0.2))
    crawler.speak = speaker("en")
    try:
        agent, key, words = (crawler.place(path) for path in [("say:agent",), ("1",), ("say:English",)])
    finally:
        line.close()
        serve.terminate()
        serve.wait(20)
    log = (tmp_path / "serve.log").read_text()
    assert [h.end for h in agent.heard] == ["gap", "music"], log[-1500:]
    assert "speech text=english" in log and len(words.heard) == 2 and len(key.heard) == 2
    same = fpr.similarity(fpr.fingerprint(key.heard[1].samples), fpr.fingerprint(words.heard[1].samples))
    assert same > fpr.SAME_CORR, same
