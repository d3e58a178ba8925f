"""Prompts through pyttsx3 / espeak-ng, and measured prompt durations."""
import json

import pytest

from ivr import timing
from ivr.errors import IvrError
from ivr.loader import load_menu
from ivr.model import Node
from ivr.speech import tts
from ivr.speech.sphinx_engine import SphinxRecognizer
from ivr.speech.vocabulary import vocabulary

from pathlib import Path

MENUS = Path(__file__).resolve().parents[1] / "menus"


@pytest.fixture
def config(tmp_path):
    return {"tts": {"enabled": True, "rate_wpm": 160, "cache_dir": str(tmp_path / "tts"),
                    "voices": {"en": "en-us", "zh-CN": "cmn-latn-pinyin"}},
            "timing": {"words_per_minute": 150, "pause_s": 0.5}}


@pytest.fixture(autouse=True)
def restore_timing_hook():
    yield
    timing.measured_duration = None


def test_longer_text_takes_longer_and_rate_matters(config):
    short = tts.duration("Goodbye.", "en", config)
    long = tts.duration("For billing press one. For outages press two. For anything else, hold.", "en", config)
    assert 0.3 < short < long < 10
    slow = dict(config, tts=dict(config["tts"], rate_wpm=100))
    assert tts.duration("Goodbye.", "en", slow) > short


def test_the_rate_holds_even_if_espeak_is_reset_just_before_speaking(config, monkeypatch):
    """pyttsx3 sets the rate through espeak's command queue, and a driver
    made anew sets it to 200 wpm: CI once heard a 100 wpm prompt at 200 wpm.
    Here espeak is put back to 200 wpm just before it speaks; the prompt
    carries its own rate, so it must still come out at 100 wpm."""
    import pyttsx3.drivers._espeak as espeak
    import pyttsx3.drivers.espeak as driver
    start = driver.EspeakDriver._start_synthesis

    def reset_then_start(self, text):
        espeak.SetParameter(espeak.RATE, 200, 0)
        return start(self, text)

    normal = len(tts.synthesize("Goodbye.", "en", config))
    monkeypatch.setattr(driver.EspeakDriver, "_start_synthesis", reset_then_start)
    slow = dict(config, tts=dict(config["tts"], rate_wpm=100))
    assert len(tts.synthesize("Goodbye.", "en", slow)) > 1.4 * normal


def test_a_prompt_never_cancels_what_espeak_is_still_doing(config, monkeypatch):
    """pyttsx3 cancels whatever espeak-ng is doing as an utterance starts; under
    load espeak's thread is sometimes still busy then (17 of 150 calls), and
    that cancel cost CI a whole prompt once and a prompt's rate once. Here
    espeak says it is busy for its next three answers: ivr must wait, so
    pyttsx3 never cancels, and the prompt comes out whole."""
    import pyttsx3.drivers._espeak as espeak
    normal = len(tts.synthesize("Please hold.", "en", config))
    answers = iter([1, 1, 1])
    real_playing, real_cancel, cancels = espeak.IsPlaying, espeak.Cancel, []
    monkeypatch.setattr(espeak, "IsPlaying", lambda: next(answers, None) or real_playing())
    monkeypatch.setattr(espeak, "Cancel", lambda: cancels.append(1) or real_cancel())
    assert abs(len(tts.synthesize("Please hold.", "en", config)) - normal) < 100
    assert cancels == []


def test_menu_text_cannot_smuggle_espeak_commands(config):
    """espeak-ng obeys commands inside the text (\\x01 0A is volume 0): a
    menu's prompt is spoken, never obeyed."""
    audio = tts.synthesize("\x01" "0A Goodbye.", "en", config)
    assert abs(audio).max() > 0.1


def test_durations_are_cached_by_text_voice_and_rate(config, monkeypatch):
    first = tts.duration("Please hold.", "en", config)
    tts._disk.clear()                         # forget what was read: only the file is left
    monkeypatch.setattr(tts, "synthesize", lambda *a, **k: pytest.fail("synthesised again"))
    assert tts.duration("Please hold.", "en", config) == first
    with pytest.raises(BaseException):        # another text is not in the cache
        tts.duration("Please hold on.", "en", config)


def test_mandarin_uses_the_pinyin_voice(config):
    assert tts.voice_for("zh-CN", config) == "cmn-latn-pinyin"
    assert tts.duration("欢迎致电职工服务热线", "zh-CN", config) > 1.0


def test_engine_clock_uses_measured_duration_when_enabled(config):
    node = Node(id="n", kind="announcement", prompt="Thank you for calling. Please hold.")
    estimate = timing.prompt_seconds(node, "en", config)          # hook not set: text estimate
    assert tts.enable_timing(config)
    measured = timing.prompt_seconds(node, "en", config)
    assert measured == pytest.approx(tts.duration(node.prompt, "en", config), abs=0.01)
    assert measured != estimate
    config["tts"]["enabled"] = False
    assert not tts.enable_timing(config)
    assert timing.prompt_seconds(node, "en", config) == estimate


def test_unknown_voice_is_a_clean_error(config):
    config["tts"]["voices"]["en"] = "no-such-voice"
    with pytest.raises(IvrError) as err:
        tts.synthesize("hello", "en", config)
    assert "no-such-voice" in err.value.problem


def test_synthesised_caller_is_recognised_in_the_node_vocabulary(config, tmp_path):
    menu = load_menu(MENUS / "consumer-service.yaml")
    audio = tts.synthesize("representative", "en", config, tmp_path / "rep.wav")
    assert (tmp_path / "rep.wav").stat().st_size > 1000
    result = SphinxRecognizer().recognize(audio, vocabulary(menu, "main"))
    assert result.text == "representative"


def test_nothing_from_the_tts_driver_reaches_stdout(tmp_path):
    """pyttsx3's espeak driver prints "Audio saved to …" from espeak's own thread,
    possibly after runAndWait has returned; that line once broke `ivr audit
    --format json` in CI. Here the driver's print is made slow, which widens that
    window from microseconds to 0.3 s, and stdout must still carry nothing.
    A separate process, because espeak's threads must not leak into this one."""
    import subprocess
    import sys
    script = (
        "import builtins, time\n"
        "import pyttsx3.drivers.espeak as driver\n"
        "def slow_print(*args, **kwargs):\n"
        "    time.sleep(0.3)\n"
        "    builtins.print(*args, **kwargs)\n"
        "driver.print = slow_print\n"
        "from ivr.speech import tts\n"
        "for text in ('Yes.', 'Press zero for a person.'):\n"
        "    tts.synthesize(text, 'en')\n"
        "time.sleep(1)\n"                  # let a late print land before the process ends
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    assert "Exception ignored" not in out.stderr   # the driver outliving its engine


@pytest.mark.parametrize("damage", ["{broken", "", "[1, 2]", '{"k": "x"}', "\xff\xfe"])
def test_a_damaged_duration_cache_is_rebuilt_not_fatal(config, damage):
    """A run killed while writing, or a hand-edited file, must not stop calls."""
    cache = tts._cache_file(config)
    cache.parent.mkdir(parents=True)
    cache.write_bytes(damage.encode("latin-1"))
    tts._disk.clear()
    seconds = tts.duration("Please hold.", "en", config)
    assert 0.3 < seconds < 5
    assert list(json.loads(cache.read_text("utf-8")).values()) == [seconds]   # rewritten whole, valid
    assert [p.name for p in cache.parent.iterdir()] == ["durations.json"]     # no partial file left


def test_mandarin_prompts_are_given_to_espeak_as_pinyin_read_by_word():
    """espeak-ng reads hanzi one character at a time and gets the readings that
    depend on the word wrong (银行 as yin xing, 音乐 as yin le); the product
    gives its pinyin voice pypinyin's reading by word, with the punctuation
    (and digits) espeak knows, so a hanzi prompt is spoken as its pinyin (espeak's
    audio differs by a few samples from run to run: compared by length)."""
    assert tts.pinyin_text("银行、音乐。转人工请按0。") == "yin2 hang2, yin1 yue4. zhuan3 ren2 gong1 qing3 an4 0."
    assert tts.pinyin_text("For billing, press 1.") == "For billing, press 1."
    said = tts.synthesize("去银行听音乐", "zh-CN")
    assert len(said) == pytest.approx(len(tts.synthesize("qu4 yin2 hang2 ting1 yin1 yue4", "zh-CN")), rel=0.02)
