"""Spoken calls: the caller's turns come from WAV files (`ivr call --audio-in`)
or the microphone (`ivr call --voice`), are recognised against the current
node's vocabulary and fed to the call engine as `say(text, confidence)` (the
engine turns low confidence into no-match). Prompts are spoken in voice mode."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

import numpy as np

from ..engine import Call
from ..matching import tidy
from ..model import DTMF_KEYS
from .audio import load_audio
from .recognizer import Recognition, Recognizer, get_recognizer
from .vocabulary import vocabulary

DTMF = set(DTMF_KEYS)


def constraints(call: Call) -> tuple[Optional[list[str]], bool]:
    node = call.menu.nodes[call.node]
    return vocabulary(call.menu, call.node), node.kind == "input"


def _apply(call: Call, record: dict, result: Optional[Recognition],
           report: Callable[[dict], None]) -> dict:
    """Feed one recognised turn to the call (None = silence), then report it."""
    if "pressed" in record:
        pass                      # keys were pressed already
    elif result is None:  # the caller heard the rest of the prompt, then said nothing for the timeout
        call.wait(max(0.0, call.prompt_end - call.clock) + call.menu.nodes[call.node].timeout_s)
        record.update(heard=None)
    else:
        record.update(heard=result.text, confidence=result.confidence, engine=result.engine)
        call.say(result.text, result.confidence)  # nothing heard: confidence 0 -> no-match
    call.settle()  # spoken turns never interrupt: the next one starts where the caller is asked
    record["now_at"] = call.node
    report(record)
    return record


SILENT_RMS = 0.002  # about -54 dBFS: the loudest 100 ms of a real turn is far above it


def _has_speech(audio: np.ndarray, rate: int) -> bool:
    """Is any 100 ms of the recorded turn louder than near-silence? (A recording
    is cut already: the live endpointer's start/stop rules would drop short
    quiet words, as 10 % of the FSDD digits.)"""
    block = rate // 10
    return any(float(np.sqrt(np.mean(audio[i:i + block] ** 2))) >= SILENT_RMS
               for i in range(0, max(len(audio) - block + 1, 1), block))


def audio_turns(call: Call, turns: list[str], recognizer: Recognizer,
                report: Callable[[dict], None] = lambda turn: None) -> list[dict]:
    """Each turn is a WAV/FLAC file the caller says, or DTMF keys (e.g. `1`,
    `123#`) the caller presses, in order, until the call ends."""
    done = []
    call.settle()
    for turn in turns:
        if call.ended:
            break
        record = {"node": call.node, "input": turn}
        result = None
        if not Path(turn).exists() and turn and set(turn) <= DTMF:
            call.press(turn)
            record.update(pressed=turn)
        else:
            phrases, sequence = constraints(call)
            audio = load_audio(turn, recognizer.rate)
            if _has_speech(audio, recognizer.rate):  # a silent turn is no-input, not a guess
                result = recognizer.recognize(audio, phrases, sequence)
        done.append(_apply(call, record, result, report))
    return done


def voice_call(call: Call, recognizer: Recognizer, config: dict, device=None,
               report: Callable[[dict], None] = lambda turn: None,
               on_event: Callable[[dict], None] = lambda event: None,
               on_partial: Callable[[str], None] = lambda text: None) -> list[dict]:
    """A live call: new prompts through the speaker, then one spoken turn from
    the microphone (silence until the node's timeout = no-input). Each call
    event goes to `on_event` as it happens (before its prompt is spoken), and
    the recogniser's partial text to `on_partial` while the caller talks."""
    from . import live, tts

    spoken, done = 0, []
    call.settle()
    while True:
        for event in call.events[spoken:]:
            on_event(event)
            if event["type"] == "enter" and event.get("prompt"):
                live.play(tts.synthesize(tidy(event["prompt"]), call.menu.language, config), device=device)
        spoken = len(call.events)
        if call.ended:
            break
        phrases, sequence = constraints(call)
        timeout = call.menu.nodes[call.node].timeout_s
        result = live.listen(recognizer, phrases, sequence, timeout_s=timeout, device=device, on_partial=on_partial)
        done.append(_apply(call, {"node": call.node}, result, report))
    return done


def speech_call(call: Call, config: dict, audio_in: tuple[str, ...] = (), voice: bool = False,
                engine: Optional[str] = None) -> list[dict]:
    """What `ivr call --audio-in/--voice` runs; turns are reported on stderr."""
    import click

    def report(turn: dict) -> None:
        if "pressed" in turn:
            click.echo(f"  pressed {turn['pressed']} at {turn['node']} -> {turn['now_at']}", err=True)
        else:
            heard = repr(turn["heard"]) if turn["heard"] is not None else "(silence)"
            click.echo(f"  heard {heard} (confidence {turn.get('confidence', 0):.2f}) "
                       f"at {turn['node']} -> {turn['now_at']}", err=True)

    from .paraphrase import ParaphraseRecognizer

    recognizer = ParaphraseRecognizer(get_recognizer(engine, call.menu.language, config),
                                      config.get("speech", {}).get("min_confidence", 0.5))
    if voice:  # the transcript as it happens, on stderr (stdout gets the whole call at the end)
        from ..transcript import describe

        last = [""]

        def partial(text: str) -> None:
            if text and text != last[0]:
                last[0] = text
                click.echo(f"  ... {text}", err=True)

        return voice_call(call, recognizer, config, report=report,
                          on_event=lambda event: click.echo(describe(event), err=True), on_partial=partial)
    return audio_turns(call, list(audio_in), recognizer, report=report)
