"""Prompts as speech: pyttsx3 driving espeak-ng, in the menu's language.

`synthesize` writes a WAV; `duration` measures how long a prompt really takes
to say (cached on disk by text + voice + rate, since synthesis costs ~50 ms a
prompt); `enable_timing` makes the call engine's virtual clock use it.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf

from .. import timing
from ..errors import IvrError
from .audio import RATE, load_audio, save_wav

_LOCK = threading.Lock()          # pyttsx3's engine is a process-wide singleton
_ENGINE = None                    # held for the process: see _engine
EMBEDDED = "\x01"                 # espeak-ng's in-text command marker
_disk: dict[Path, dict[str, float]] = {}  # cache file -> its durations, as read (and extended) here


def voice_for(language: str, config: Optional[dict] = None) -> str:
    """espeak-ng voice for a menu language (config tts.voices; zh-CN uses
    cmn-latn-pinyin, given pinyin by `pinyin_text`: espeak-ng 1.51's `cmn`
    voice reads many hanzi as spelled-out letters)."""
    voices = (config or {}).get("tts", {}).get("voices", {})
    if language in voices:
        return voices[language]
    base = language.split("-")[0].lower()
    return {"zh": "cmn-latn-pinyin", "en": "en-us"}.get(base, base)


_HANZI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_FULLWIDTH = str.maketrans({"，": ", ", "。": ". ", "、": ", ", "；": "; ", "：": ": ", "！": "! ",
                            "？": "? ", "“": " ", "”": " ", "‘": " ", "’": " ", "（": " (", "）": ") "})


def pinyin_text(text: str) -> str:
    """Hanzi as numbered pinyin ("转人工请按0。" -> "zhuan3 ren2 gong1 qing3 an4 0. "),
    which is what espeak-ng's `cmn-latn-pinyin` voice reads right. Given hanzi,
    espeak-ng looks each character up on its own and gets the readings that
    depend on the word wrong (银行 yin xing, 音乐 yin le, 还款 hai kuan); pypinyin
    reads by word (yin2 hang2, yin1 yue4)."""
    from pypinyin import Style, lazy_pinyin

    def spell(run: re.Match) -> str:
        return " " + " ".join(lazy_pinyin(run.group(0), style=Style.TONE3, neutral_tone_with_five=True)) + " "
    spaced = re.sub(r" +", " ", _HANZI.sub(spell, text).translate(_FULLWIDTH))
    return re.sub(r" ([,.;:!?)])", r"\1", spaced).strip()


def _voice_text(text: str, voice: str) -> str:
    """The text as the voice reads it: pinyin for the pinyin voices."""
    return pinyin_text(text) if voice.lower().endswith("latn-pinyin") and _HANZI.search(text) else text


def _engine():
    """pyttsx3's espeak engine, made once and kept: pyttsx3 only holds it
    weakly, and a re-made driver sets espeak's rate back to 200 wpm while a
    collected one unregisters espeak's audio callback."""
    global _ENGINE
    if _ENGINE is None:
        import atexit

        import pyttsx3
        try:
            _ENGINE = pyttsx3.init("espeak")
            atexit.register(_release)
        except Exception as err:  # pyttsx3 raises whatever its driver raises
            raise IvrError(f"text-to-speech is unavailable ({err})",
                           "install espeak-ng: sudo apt-get install espeak-ng libespeak-ng1") from None
    return _ENGINE


def _release() -> None:
    """Let go of the engine while the interpreter is whole: its finaliser,
    run later at shutdown, printed 'Exception ignored' (contextlib gone)."""
    global _ENGINE
    _ENGINE = None


def _spoken_text(text: str, rate: int) -> str:
    """The text espeak-ng is given: the rate as an in-text command, applied
    with this very utterance (espeak applies pyttsx3's rate setting on its own
    thread, and CI once heard a 100 wpm prompt at 200 wpm); the menu's own
    text cannot carry commands of its own."""
    return f"{EMBEDDED}{int(rate)}S" + text.replace(EMBEDDED, " ")


def _select_voice(engine, voice: str) -> None:
    ids = [v.id for v in engine.getProperty("voices")]
    match = next((i for i in ids if i == voice or i.endswith("/" + voice)), None)
    if match is None:
        raise IvrError(f"espeak-ng has no voice {voice!r}",
                       "set tts.voices in config.yaml to one of `espeak-ng --voices`")
    engine.setProperty("voice", match)


def _wait_until_espeak_is_idle(limit_s: float = 5.0) -> None:
    """pyttsx3 cancels whatever espeak-ng is still doing as it starts an
    utterance (its driver's stop: IsPlaying, then Cancel), and espeak's thread
    may still be busy with the settings just given or the end of the last
    prompt (17 of 150 calls under load). That cancel dropped the prompt (no
    audio) or reset its rate (200 wpm), both seen in CI: wait for espeak first."""
    from pyttsx3.drivers import _espeak   # pyttsx3's own binding of libespeak-ng
    deadline = time.monotonic() + limit_s
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)


def _complete_wav(path: Path) -> bool:
    try:
        info = sf.info(str(path))
        return info.frames > 0 and path.stat().st_size >= 44 + 2 * info.frames
    except (OSError, RuntimeError):
        return False


def synthesize(text: str, language: str, config: Optional[dict] = None,
               path: Optional[str | Path] = None) -> np.ndarray:
    """Speak `text` into float32 mono samples at RATE (and into `path` if given)."""
    rate = (config or {}).get("tts", {}).get("rate_wpm", 160)
    with _LOCK, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "prompt.wav"
        engine = _engine()
        voice = voice_for(language, config)
        _select_voice(engine, voice)
        engine.setProperty("rate", rate)
        finished = threading.Event()
        token = engine.connect("finished-utterance", lambda **_: finished.set())
        # pyttsx3's espeak driver prints "Audio saved to …" from its synthesis
        # callback, which can run after runAndWait returns (seen in CI): keep
        # stdout, where our JSON goes, redirected until that callback is done
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                engine.save_to_file(_spoken_text(_voice_text(text, voice), rate), str(out))
                _wait_until_espeak_is_idle()
                engine.runAndWait()
                deadline = time.monotonic() + 30
                while not (finished.is_set() and _complete_wav(out)) and time.monotonic() < deadline:
                    time.sleep(0.01)
        finally:
            engine.disconnect(token)
        if not _complete_wav(out):
            raise IvrError(f"espeak-ng produced no audio for {text[:40]!r}",
                           "check `espeak-ng --voices` lists the configured voice")
        samples = load_audio(out, RATE)
    if path:
        save_wav(path, samples)
    return samples


def _cache_file(config: Optional[dict]) -> Path:
    return Path((config or {}).get("tts", {}).get("cache_dir", ".cache/tts")) / "durations.json"


# part of every cache key of synthesised audio: bump it when the same text, voice
# and rate come out differently (2: hanzi read as pinyin by word)
CACHE_VERSION = "2"


def duration(text: str, language: str, config: Optional[dict] = None) -> float:
    """Seconds the synthesised prompt lasts (measured once, then cached)."""
    rate = (config or {}).get("tts", {}).get("rate_wpm", 160)
    voice = voice_for(language, config)
    key = hashlib.sha1(f"{CACHE_VERSION}|{voice}|{rate}|{text}".encode()).hexdigest()
    cache = _cache_file(config)
    stored = _disk.get(cache)
    if stored is None:  # read the file once per process, not on every new prompt
        stored = _disk[cache] = _read_cache(cache)
    if key not in stored:
        stored[key] = round(len(synthesize(text, language, config)) / RATE, 3)
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(f".{cache.name}.{os.getpid()}")  # a killed run leaves no half file
        partial.write_text(json.dumps(stored))
        os.replace(partial, cache)
    return stored[key]


def _read_cache(cache: Path) -> dict[str, float]:
    """The cached durations; an unreadable or damaged cache is only a cache:
    start afresh (it is rewritten whole) rather than stop the call."""
    try:
        stored = json.loads(cache.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict):
        return {}
    return {k: v for k, v in stored.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def enable_timing(config: dict) -> bool:
    """Hook measured durations into ivr.timing when config tts.enabled is on."""
    if not config.get("tts", {}).get("enabled"):
        timing.measured_duration = None
        return False
    timing.measured_duration = lambda text, language: duration(text, language, config)
    return True
