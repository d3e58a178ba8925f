"""Caller speech over a SIP call: a real FSDD recording played as baresip's
microphone is recognised with the node's grammar and routes the call."""
import json
import sys

import numpy as np

from speech_support import shared
from telephony_peers import ROOT, Baresip, Serve, prompt_audio, write_wav

MENU = "tests/data/telephony/digits.yaml"


def test_spoken_digit_routes_the_call(tmp_path):
    sys.path.insert(0, str(ROOT))
    from ivr.speech.audio import load_audio
    prompt = prompt_audio("Say two for sales, five for support, or eight for accounts.")
    digit = load_audio(shared("speech/fsdd/5_jackson_1.wav"), 8000)
    digit = 0.5 * digit / np.abs(digit).max()
    # the caller listens to the prompt, then says "five", then stays on the line
    pause = np.zeros(int(len(prompt) + 0.8 * 8000), dtype=np.float32)
    mic = write_wav(tmp_path / "caller.wav", np.concatenate([pause, digit, np.zeros(8000 * 20)]))
    server = Serve(tmp_path, [MENU])
    phone = Baresip(tmp_path, source=mic)
    try:
        phone.dial(f"sip:digits@127.0.0.1:{server.port}")
        server.wait("answered", menu="digits")
        said = server.wait("speech", timeout=30)
        assert said["text"] == "five" and said["confidence"] >= 0.5
        assert said["t"] > len(prompt) / 8000          # heard after the prompt, when the caller spoke
        server.wait("enter", node="support")
        server.wait("recorded", timeout=20)             # the hangup node ends the call (BYE from us)
        [rec] = server.records()
        assert json.loads(rec["path"]) == ["pick", "support"]
        assert json.loads(rec["asr"])[0]["text"] == "five"
        assert rec["end_reason"] == "hangup"
    finally:
        phone.stop()
        server.stop()


def test_speaking_over_the_prompt_stops_it_and_routes(tmp_path):
    sys.path.insert(0, str(ROOT))
    from ivr.speech.audio import load_audio
    from telephony_peers import align, prompt_stopped
    prompt = prompt_audio("Say two for sales, five for support, or eight for accounts.")
    digit = load_audio(shared("speech/fsdd/5_george_1.wav"), 8000)
    digit = 0.5 * digit / np.abs(digit).max()
    lead = 1.2  # the caller talks 1.2 s into the prompt (barge-in is on)
    mic = write_wav(tmp_path / "caller.wav", np.concatenate([np.zeros(int(lead * 8000)), digit,
                                                              np.zeros(8000 * 20)]))
    server = Serve(tmp_path, [MENU])
    phone = Baresip(tmp_path, source=mic)
    try:
        phone.dial(f"sip:digits@127.0.0.1:{server.port}")
        server.wait("answered")
        cut = server.wait("barge-in", timeout=15)
        assert cut["by"] == "speech" and lead < cut["t"] < lead + 0.6
        said = server.wait("speech", timeout=30)
        assert said["text"] == "five"
        server.wait("enter", node="support")
        server.wait("recorded", timeout=20)
        heard, _ = phone.heard()
        lag, score = align(heard, prompt)
        assert score > 0.9
        stopped, _ = prompt_stopped(heard, prompt, lag, cut["t"] - 0.3, cut["t"] + 1.0)
        assert stopped is not None and stopped - cut["t"] <= 0.1
    finally:
        phone.stop()
        server.stop()
