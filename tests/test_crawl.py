"""ivr crawl without a network: option extraction, prompt ends, fingerprints
on real recordings, and whole crawls of menus played by the call engine as
telephone audio (espeak-ng prompts through G.711, Asterisk music on hold)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ivr.crawl import fingerprint as fpr
from ivr.crawl.options import extract

ROOT = Path(__file__).resolve().parent.parent
SOUNDS = Path("/usr/share/asterisk/sounds/en")
MOH = Path("/usr/share/asterisk/moh/macroform-robot_dity.wav")
needs_sounds = pytest.mark.skipif(not (SOUNDS / "invalid.wav").is_file() or not MOH.is_file(),
                                  reason="needs asterisk-core-sounds-en-wav and asterisk-moh-opsound-wav "
                                         "(scripts/setup.sh installs them)")


@pytest.mark.parametrize("text, options", [
    ("For billing press 1. Press 0 for an agent.", {"1": "billing", "0": "an agent"}),
    ("For your account, press 1. For sales and new offers, press 2.", {"1": "your account", "2": "sales and new offers"}),
    ("To speak to an agent, press 0 or say agent.", {"0": "speak to an agent"}),
    ("for billing press one, for sales press two", {"1": "billing", "2": "sales"}),
    ("按1", {"1": ""}),
    ("查询话费请按1，请按0转人工。", {"1": "查询话费", "0": "转人工"}),
    ("人工服务请按零", {"0": "人工服务"}),
    ("Thank you for calling. Goodbye.", {}),
])
def test_options_are_read_from_english_and_chinese_prompts(text, options):
    assert extract(text) == options


def phone(samples, offset=0, gain=1.0, seed=0):
    from ivr.crawl.engine_line import ulaw_roundtrip
    noise = np.random.default_rng(seed).normal(0, 0.002, len(samples) + offset).astype(np.float32)
    return ulaw_roundtrip(np.concatenate([np.zeros(offset, np.float32), samples]) * gain + noise)


def speak(text):
    from ivr.speech.audio import resample
    from ivr.speech.tts import synthesize
    return resample(synthesize(text, "en"), 16000, 8000)


@needs_sounds
def test_fingerprint_tells_prompts_apart_and_finds_replays_on_real_recordings():
    from ivr.crawl.engine_line import load_phone_audio
    recorded = [load_phone_audio(SOUNDS / f"{n}.wav") for n in ("vm-instructions", "dir-instr", "privacy-prompt")]
    tts = [speak("Account menu. To hear your balance, press 1. To pay by card, press 2."),
           speak("Account menu. To hear your balance, press 1. To pay by card, press 3.")]
    clips = recorded + tts
    prints = [fpr.fingerprint(c) for c in clips]
    for clip, fp in zip(clips, prints):   # the same prompt over a line: offset, level, noise, u-law
        assert fpr.same(fp, fpr.fingerprint(phone(clip, offset=77, gain=0.5)))
    for i in range(len(clips)):
        for j in range(len(clips)):
            if i != j:
                assert not fpr.same(prints[i], prints[j]), (i, j)   # incl. "press 2" vs "press 3"
    invalid = load_phone_audio(SOUNDS / "invalid.wav")
    replay = fpr.fingerprint(phone(np.concatenate([invalid, np.zeros(2000, np.float32), clips[3]])))
    assert fpr.match(replay, {"a": prints[3], "b": prints[4]}) == ("a", "replay")


@needs_sounds
def test_listener_hears_a_prompt_end_music_and_a_hang_up():
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.listen import ListenSettings, listen
    from ivr.sources import open_menu
    line = EngineLine(open_menu(str(ROOT / "menus/consumer-service.yaml")))
    call = line.dial(5)
    first = listen(call, ListenSettings())
    assert first.end == "gap" and 8 < first.duration_s < 11      # the language menu, ~9.5 s
    call.press("0")                                               # the global human key
    held = listen(call, ListenSettings())
    assert held.end == "music"
    call.hangup()
    maze = EngineLine(open_menu(str(ROOT / "menus/maze.yaml"))).dial(5)
    start = listen(maze, ListenSettings())
    assert start.end == "gap" and 50 < start.duration_s < 60      # 30 s intro + 15 s advert + the menu
    maze.press("7")                                               # address, then goodbye, then the line hangs up
    assert listen(maze, ListenSettings()).end == "hangup"


def crawl_menu(path, **budget):
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.explore import Budget, Crawler
    from ivr.sources import open_menu
    menu = open_menu(str(path))
    crawler = Crawler(EngineLine(menu), Budget(pace_s=0, **budget))
    crawler.run()
    return menu, crawler


@needs_sounds
def test_engine_line_crawl_recovers_consumer_service_by_keys(tmp_path):
    from ivr.crawl import write
    from ivr.crawl.truth import key_findings, score
    from ivr.sources import open_menu
    menu, crawler = crawl_menu(ROOT / "menus/consumer-service.yaml", concurrent=2)
    names = write.node_names(crawler)
    out = tmp_path / "crawled.yaml"
    out.write_text(write.dump(crawler, "sim:consumer-service", "en"))
    crawled = open_menu(str(out))                 # ivr's own loader accepts it (validate)
    result = score(menu, crawled, {names[n.id]: n.path for n in crawler.nodes.values()})
    assert result["node_recall"] >= 0.95 and result["edge_recall"] >= 0.95, result
    assert result["steps_to_human"] == result["crawled_steps_to_human"] == 1
    assert crawled.commands["human"].key == "0"   # 0 reaches the same person from every menu
    assert key_findings(crawled) == key_findings(menu)
    start = crawled.nodes[crawled.start]
    assert start.no_input.retries == 2 and crawled.nodes[start.no_input.then].kind == "human"
    assert 4.5 < start.timeout_s < 6.5           # configured 5 s, measured by listening
    assert "# crawled by ivr crawl from sim:consumer-service" in out.read_text()


@needs_sounds
def test_budget_stops_the_crawl_and_keeps_a_valid_partial_map(tmp_path):
    out, report = tmp_path / "line.yaml", tmp_path / "crawl.json"
    run = subprocess.run([sys.executable, "-m", "ivr", "crawl", f"sim:{ROOT / 'menus/consumer-service.yaml'}",
                          "-o", str(out), "--report", str(report), "--max-calls", "6", "--pace", "0",
                          "--no-transcribe"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    data = json.loads(report.read_text())
    assert data["calls"] == 6 and not data["finished"] and "call budget" in data["stopped"]
    assert any(u.startswith("not tried") for u in data["unsure"])
    assert "PARTIAL MAP" in out.read_text()
    check = subprocess.run([sys.executable, "-m", "ivr", "validate", str(out)], cwd=ROOT, capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stderr


def test_cli_refuses_bad_targets_and_keys_cleanly():
    for args, what in ((["http://example.com"], "not a line"), (["sip:"], "not a SIP address"),
                       (["sip:1@127.0.0.1:99999"], "out of range"), (["sip:1@127.0.0.1", "--keys", "1x"], "--keys")):
        run = subprocess.run([sys.executable, "-m", "ivr", "crawl", *args], cwd=ROOT, capture_output=True,
                             text=True, timeout=60)
        assert run.returncode == 2 and what in run.stderr and "Traceback" not in run.stderr, run.stderr


@needs_sounds
def test_many_lines_on_a_dask_local_cluster(tmp_path):
    """Two lines crawled concurrently on Dask workers, a bad row reported, one budget shared."""
    lines = tmp_path / "lines.csv"
    vxml = ROOT.parent / "shared/real_menus/voicexml/jvoicexml_dtmf.vxml"
    small = tmp_path / "small.yaml"
    from ivr.menu_yaml import dump_menu
    from ivr.sources import open_menu
    small.write_text(dump_menu(open_menu(str(vxml))))
    other = tmp_path / "other.yaml"
    other.write_text(small.read_text())
    lines.write_text(f"target,language\nsim:{small},en\nsim:{other},en\nhttp://nope,en\nsim:{small},en\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "ivr", "crawl", "--targets", str(lines), "-o", str(out),
                          "--max-calls", "40", "--pace", "0", "--no-transcribe", "--format", "json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    results = json.loads(run.stdout)
    assert run.returncode == 1, run.stderr   # the bad rows
    errors = [r["error"] for r in results if "error" in r]
    assert any("not sip:" in e for e in errors) and any("listed twice" in e for e in errors)
    crawled = [r for r in results if "error" not in r]
    assert len(crawled) == 2
    for r in crawled:
        assert r["finished"] and r["nodes"] == 3 and r["calls"] <= 20   # half of the shared 40 calls each
        assert Path(r["yaml"]).is_file() and Path(r["report"]).is_file()
