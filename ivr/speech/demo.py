"""The spoken-call part of `ivr demo`: prompts synthesised, the caller's turns
recorded (FSDD, ../shared/speech) or synthesised, recognised offline, routed."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..engine import Call
from ..loader import load_menu
from ..matching import tidy
from . import tts
from .calls import audio_turns
from .recognizer import get_recognizer

SHARED = Path(__file__).resolve().parents[3] / "shared" / "speech"
MENU = "consumer-service.yaml"
# (what the caller says, a real recording of it if there is one)
TURNS = [("one", SHARED / "fsdd" / "1_george_0.wav"), ("billing", None), ("agent", None)]


def part_spoken_call(menus_dir: Path, config: dict) -> None:
    click.secho("\n== A spoken call (offline speech recognition)", bold=True)
    menu = load_menu(menus_dir / MENU)
    recognizer = get_recognizer(None, menu.language, config)
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for text, recording in TURNS:
            if recording is not None and recording.exists():
                files.append(str(recording))
                continue
            path = Path(tmp) / f"{text}.wav"
            tts.synthesize(text, menu.language, config, path)
            files.append(str(path))
        call = Call(menu, config)
        first = tidy(menu.nodes[menu.start].prompt)
        click.echo(f"{MENU}: recogniser {recognizer.name}; first prompt synthesised: "
                   f"{tts.duration(first, menu.language, config):.1f} s of speech "
                   f"(text estimate {call.events[0]['prompt_s']:.1f} s)")

        def report(turn: dict) -> None:
            source = "recorded" if str(SHARED) in turn["input"] else "synthesised"
            click.echo(f"  at {turn['node']:<10} caller ({source:<11}) -> heard {turn.get('heard')!r:<11}"
                       f" confidence {turn.get('confidence', 0):.2f} -> {turn['now_at']}")

        audio_turns(call, files, recognizer, report)
        result = call.to_dict()
        click.echo(f"  call ended at {result['final_node']} ({result['final_kind']}) "
                   f"after {result['steps']} spoken turns, {result['elapsed_s']:.1f} virtual s")
