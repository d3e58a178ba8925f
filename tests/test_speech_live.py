"""Live audio through a real PortAudio device: the test starts its own
PulseAudio server with a null sink, so what is played to the speaker comes
back at the microphone (the sink's monitor). No mocks."""
import os
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest

from ivr.speech import load_audio, tts
from ivr.speech.audio import RATE, EndOfSpeech
from ivr.speech.live import listen, play
from ivr.speech.sphinx_engine import SphinxRecognizer

from speech_support import shared

CHOICES = ["agent", "billing", "outage", "one", "two"]


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    import sounddevice as sd

    exe = shutil.which("pulseaudio")
    assert exe, "pulseaudio is needed for the live-audio test: bash scripts/setup.sh"
    runtime = tmp_path_factory.mktemp("pulse")
    socket = runtime / "native"
    env = {"XDG_RUNTIME_DIR": str(runtime), "PULSE_RUNTIME_PATH": str(runtime),
           "HOME": str(runtime), "PULSE_SERVER": f"unix:{socket}"}
    server = subprocess.Popen(
        [exe, "--daemonize=no", "--exit-idle-time=-1", "-n", "--disallow-exit", "--use-pid-file=no",
         f"--load=module-native-protocol-unix auth-anonymous=1 socket={socket}",
         "--load=module-null-sink sink_name=ivr_test rate=16000",
         "--load=module-always-sink"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    patch = pytest.MonkeyPatch()
    try:
        deadline = time.monotonic() + 15          # a real server starting, not simulated time
        while not socket.exists():
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "pulseaudio did not start"
            time.sleep(0.05)
        for key, value in env.items():
            patch.setenv(key, value)
        subprocess.run(["pactl", "set-default-source", "ivr_test.monitor"], check=True,
                       env={**os.environ, **env}, timeout=10)
        sd._terminate()                           # re-scan devices now the server is up
        sd._initialize()
        assert any(d["max_input_channels"] for d in sd.query_devices()), sd.query_devices()
        yield server
    finally:
        server.terminate()
        server.wait(timeout=10)
        patch.undo()
        sd._terminate()
        sd._initialize()


def caller_says(samples, ready: threading.Event, delay_s=0.5):
    """Play the caller's audio to the speaker in the background, a moment after
    the microphone is open (`ready`): on a loaded machine opening it can take
    longer than any fixed pause, and the first word would be lost."""
    import sounddevice as sd
    audio = np.concatenate([np.zeros(int(delay_s * RATE), np.float32), samples,
                            np.zeros(RATE, np.float32)])

    def speak():  # its own stream: sd.play() would share (and stop) the module's global one
        with sd.OutputStream(samplerate=RATE, channels=1, dtype="float32") as out:
            assert ready.wait(60), "the microphone never opened"
            out.write(audio.reshape(-1, 1))

    thread = threading.Thread(target=speak)
    thread.start()
    return thread


def test_end_of_speech_on_a_real_recording():
    digit = load_audio(shared("speech/fsdd/7_jackson_0.wav"))
    noise = np.random.default_rng(0).normal(0, 0.002, RATE).astype(np.float32)
    audio = np.concatenate([noise, digit / np.abs(digit).max() * 0.5, noise, noise])
    eos, states = EndOfSpeech(), []
    for i in range(0, len(audio), 1600):
        states.append(eos.feed(audio[i:i + 1600]))
    assert states[0] == "waiting" and states[-1] == "ended"
    assert 0.9 <= eos.speech_start <= 1.3          # the digit starts after 1 s of noise
    ended_at = states.index("ended") * 0.1
    assert 1.0 + len(digit) / RATE < ended_at < 1.0 + len(digit) / RATE + 1.2


def test_spoken_word_arrives_at_the_microphone_and_is_recognised(pulse):
    sphinx, ready = SphinxRecognizer(), threading.Event()
    caller = caller_says(tts.synthesize("agent", "en"), ready)
    partials = []
    result = listen(sphinx, CHOICES, timeout_s=4, on_partial=partials.append, on_ready=ready.set)
    caller.join()
    assert result is not None and result.text == "agent"
    assert partials                                  # streamed while the caller spoke


def test_real_recording_through_the_device(pulse):
    sphinx, ready = SphinxRecognizer(), threading.Event()
    caller = caller_says(load_audio(shared("speech/en/sr-english-one-two-three.wav")), ready)
    result = listen(sphinx, ["one", "two", "three"], sequence=True, timeout_s=4, on_ready=ready.set)
    caller.join()
    assert result is not None and result.text == "one two three"


def test_silence_is_no_input(pulse):
    opened = []                                  # from when the microphone is open: setting up
    result = listen(SphinxRecognizer(), CHOICES, timeout_s=1.0,   # the decoder is slow on a busy CI
                    on_ready=lambda: opened.append(time.monotonic()))
    assert result is None
    assert time.monotonic() - opened[0] < 5      # gave up after ~1 s of audio, did not hang


def test_play_reaches_the_device(pulse):
    play(tts.synthesize("goodbye", "en"))       # raises on any device error


def test_live_voice_call_reaches_a_person(pulse, tmp_path, monkeypatch):
    """`ivr call --voice` end to end: the prompt is spoken to the speaker, the
    caller answers into the microphone, the call is routed."""
    from ivr.engine import Call
    from ivr.loader import load_menu
    from ivr.speech.calls import voice_call

    menu_file = tmp_path / "menu.yaml"
    menu_file.write_text(
        "id: t\ntitle: t\nlanguage: en\nstart: main\n"
        "commands:\n  human: {key: '0', say: [agent], to: agent}\n"
        "nodes:\n"
        "  main: {kind: menu, prompt: 'Say billing or agent.', timeout_s: 6,\n"
        "         options: [{key: '1', say: [billing], to: bill}]}\n"
        "  bill: {kind: hangup, prompt: 'Bye.'}\n"
        "  agent: {kind: human, prompt: 'Connecting.'}\n", encoding="utf-8")
    menu = load_menu(menu_file)
    config = {"speech": {"min_confidence": 0.5}, "tts": {"cache_dir": str(tmp_path)}}
    from ivr.speech import live
    ready, real_listen = threading.Event(), live.listen
    monkeypatch.setattr(live, "listen", lambda *a, **k: real_listen(*a, **k, on_ready=ready.set))
    caller = caller_says(tts.synthesize("agent", "en"), ready)   # answers once the prompt is over
    call = Call(menu, config)
    shown, partials = [], []   # the live transcript: each event, and was the microphone open yet?
    turns = voice_call(call, SphinxRecognizer(), config, on_event=lambda e: shown.append((e, ready.is_set())),
                       on_partial=lambda text: partials.append((text, len(shown))))
    caller.join()
    assert call.ended and call.node == "agent"
    assert turns[-1]["heard"] == "agent"
    assert [e for e, _ in shown] == call.events                  # every event, in order, once
    assert shown[0][0]["type"] == "enter" and not shown[0][1]    # the prompt shown before the caller was heard
    said = next(i for i, (e, _) in enumerate(shown) if e["type"] == "say")
    assert shown[said][1]                                        # the turn shown when it was heard
    assert partials and all(n <= said for _, n in partials)      # partial text while the caller talked


def test_whisper_partials_through_the_device(pulse):
    """The default engine (Whisper) shows partial text while the caller talks
    too: the real recording of "one two three" (2.7 s) through the device."""
    from ivr.speech.whisper_engine import WhisperRecognizer

    whisper, ready = WhisperRecognizer("whisper-tiny.en", "en"), threading.Event()
    caller = caller_says(load_audio(shared("speech/en/sr-english-one-two-three.wav")), ready)
    partials = []
    result = listen(whisper, ["one", "two", "three"], sequence=True, timeout_s=4,
                    on_partial=partials.append, on_ready=ready.set)
    caller.join()
    assert result is not None and result.text == "one two three"
    assert partials and any(p.strip(" .,") for p in partials), partials
