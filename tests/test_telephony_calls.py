"""`ivr serve` answering real SIP peers: baresip (RFC 4733 keys, what it
hears), sipp (SIP INFO keys), two menus on one server."""
import json
import subprocess
import sys
import time

import numpy as np
import pytest

from sipp_scenarios import call
from telephony_peers import (ROOT, Baresip, Serve, Sipp, align, dial, frame_similarity, press, prompt_audio,
                             prompt_stopped)

CONSUMER = "menus/consumer-service.yaml"
HOTLINE = "menus/12351-hotline.yaml"


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path, [CONSUMER, HOTLINE], "--no-speech")
    yield server
    server.stop()


@pytest.fixture
def phone(tmp_path):
    peer = Baresip(tmp_path)
    yield peer
    peer.stop()


def _menu_prompt(node: str) -> str:
    sys.path.insert(0, str(ROOT))
    from ivr.sources import open_menu
    return open_menu(str(ROOT / CONSUMER)).nodes[node].spoken_text()


def test_baresip_keys_reach_a_person_and_the_record_shows_the_path(serve, phone):
    answered = dial(phone, serve)
    assert answered["codec"] in ("PCMU", "PCMA") and answered["menu"] == "consumer-service"
    press(phone, serve, "1", 2.0, "enter", node="main")
    press(phone, serve, "0", 1.0, "end", outcome="human")
    time.sleep(1.0)
    phone.hangup()
    serve.wait("recorded")
    [rec] = serve.records()
    assert json.loads(rec["path"]) == ["language", "main", "agent"]
    assert rec["outcome"] == "human" and rec["source"] == "sip" and rec["end_node"] == "agent"
    assert rec["codec"] == answered["codec"] and json.loads(rec["dtmf_methods"]) == ["rfc4733"]
    assert rec["remote_uri"] == "sip:tester@127.0.0.1" and rec["sip_call_id"] == answered["call"]
    digits = [d["key"] for d in json.loads(rec["detail"])["digits"]]
    assert digits == ["1", "0"]  # each key once: repeats and end packets of an event are absorbed

    # what the caller heard is the language prompt, from the start
    heard, rate = phone.heard()
    lag, score = align(heard, prompt_audio(_menu_prompt("language")))
    assert score > 0.9, f"baresip did not hear the language prompt (correlation {score:.2f})"
    assert lag < 0.3 * rate

    # and `ivr report` shows the SIP call
    report = subprocess.run([sys.executable, "-m", "ivr", "report", "--db", serve.db, "--format", "json"],
                            cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}, timeout=60)
    assert report.returncode == 0, report.stderr
    sip = json.loads(report.stdout)["sip_calls"]
    assert sip[0]["sip_call_id"] == answered["call"] and sip[0]["path"] == ["language", "main", "agent"]


def test_barge_in_key_stops_the_prompt_within_100ms(serve, phone):
    expected = prompt_audio(_menu_prompt("language"))
    rate = 8000
    # press when the prompt is loud for the next half second, about 1 s in
    frames = np.array([np.sqrt(np.mean(expected[i:i + 160] ** 2)) for i in range(0, len(expected) - 160, 160)])
    start = next(f for f in range(50, len(frames) - 25) if (frames[f:f + 25] > 0.02).mean() > 0.8)
    phone.dial(f"sip:consumer-service@127.0.0.1:{serve.port}")
    answered = serve.wait("answered")
    first = time.monotonic()
    time.sleep(max(0.0, start * 0.02 - 0.05))
    phone.key("1")
    pressed = serve.wait("dtmf", key="1")
    serve.wait("enter", node="main")
    time.sleep(1.0)
    phone.hangup()
    serve.wait("ended")
    heard, _ = phone.heard()
    lag, score = align(heard, expected, window_s=min(1.5, start * 0.02 - 0.1))  # what was heard before the key
    assert score > 0.9
    t_key = pressed["t"]                   # call time the first event packet arrived
    assert 0.5 < t_key < 4.0, "the key was meant to come early in the prompt"
    # the prompt as heard: whole before the key, gone within 100 ms after it
    stopped, _ = prompt_stopped(heard, expected, lag, t_key - 0.5, t_key + 1.0)
    assert stopped is not None, "the language prompt was never cut"
    latency = stopped - t_key
    print(f"barge-in: key at {t_key:.3f} s, prompt stopped at {stopped:.3f} s as heard ({1000 * latency:.0f} ms)")
    assert latency <= 0.1, f"prompt still heard {1000 * latency:.0f} ms after the key"
    # and it stays gone: the main menu's prompt that follows is the same voice,
    # so a single 20 ms frame of it can match by chance (0.63 once in CI); the
    # language prompt going on would match on nearly every frame
    _, after = prompt_stopped(heard, expected, lag, t_key + 0.1, t_key + 1.0)
    matching = [f for f, sim in after if sim >= 0.5]
    assert len(after) >= 10 and len(matching) <= len(after) // 10, after
    early = [frame_similarity(heard, expected, lag, f) for f in range(10, int((t_key - 0.05) * 50))
             if np.sqrt(np.mean(expected[f * 160:(f + 1) * 160] ** 2)) > 0.03]
    assert np.median(early) > 0.9


def test_sipp_info_digits_reach_a_person(tmp_path, serve):
    scenario = call("consumer-service", [("pause", 1500), ("info", "1"), ("pause", 1000), ("info-dtmf", "0"),
                                         ("pause", 1500)])
    run = Sipp(tmp_path, scenario, f"127.0.0.1:{serve.port}")
    assert run.returncode == 0, run.proc.stderr[-2000:] + run.proc.stdout[-2000:]
    serve.wait("recorded")
    [rec] = serve.records()
    assert json.loads(rec["path"]) == ["language", "main", "agent"]
    assert json.loads(rec["dtmf_methods"]) == ["info"] and rec["outcome"] == "human"
    assert rec["end_reason"] == "bye"


def test_hotline_answers_and_routes_on_keys(serve, phone):
    assert dial(phone, serve, "12351-hotline")["menu"] == "12351-hotline"
    press(phone, serve, "1", 1.5, "enter", node="wages")
    press(phone, serve, "0", 1.0, "end", outcome="human")
    phone.hangup()
    serve.wait("recorded")
    [rec] = serve.records()
    assert rec["menu"] == "12351-hotline"
    assert json.loads(rec["path"]) == ["welcome", "wages", "agent"]


def test_unknown_user_gets_the_default_menu(serve, phone):
    answered = dial(phone, serve, "nobody")
    assert answered["menu"] == "consumer-service"
    phone.hangup()
    serve.wait("recorded")
    assert serve.records()[0]["end_reason"] == "bye"
