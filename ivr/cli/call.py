"""ivr call: run a call through a menu — interactively, or from a script."""
from __future__ import annotations

import sys
from typing import Optional

import click

from ..config import load_config
from ..engine import Call
from ..script import parse_script, run_script, run_step
from ..sources import open_menu
from ..model import DTMF_KEYS, Where
from ..errors import IvrError
from ..files import read_limited
from ..yaml_source import MAX_BYTES
from ..transcript import describe
from ..records import database_path
from ..records.capture import describe_saved, save_call
from .common import config_option, format_option, print_json, user_errors


def _interactive(call: Call) -> None:
    shown = 0
    click.echo("Type keys (e.g. 1 or 123#), words to say, 'wait N', 'hangup' or 'quit'.", err=True)
    while True:
        for event in call.events[shown:]:
            click.echo(describe(event))
        shown = len(call.events)
        if call.ended:
            return
        if call.playing:
            can = "'press KEY early' interrupts" if call.menu.nodes[call.node].barge_in else "no barge-in"
            click.echo(f"  (playing until {call.prompt_end:.1f}s; Enter listens on; {can})", err=True)
        try:
            line = input("caller> ").strip()
        except EOFError:
            return
        if line in ("quit", "exit"):
            return
        if not line:
            call.settle()  # keep listening
            continue
        verb = line.split()[0].lower()
        if all(k in DTMF_KEYS for k in line.replace(" ", "")):
            line = f"press {line.replace(' ', '')}"
        elif verb not in ("press", "say", "wait", "hangup"):
            line = f"say {line}"
        try:
            for step in parse_script(line, "<keyboard>"):
                run_step(call, step)
        except IvrError as err:
            click.echo(f"error: {err.problem} — {err.fix}", err=True)


@click.command("call")
@click.argument("menu_file", metavar="MENU", type=click.Path(dir_okay=False))
@click.option("--script", "script", type=click.Path(allow_dash=True, dir_okay=False),
              help="Run the caller's steps from FILE (- for stdin) instead of asking.")
@click.option("--route", help="Enter by a priority route of the menu (e.g. elderly).")
@click.option("--audio-in", "audio_in", multiple=True, metavar="FILE",
              help="A WAV the caller says (repeat for each turn; DTMF keys like 1 are pressed).")
@click.option("--voice", is_flag=True, help="Live call: prompts to the speaker, caller from the microphone.")
@click.option("--engine", type=click.Choice(["auto", "whisper", "vosk", "pocketsphinx"]), default=None,
              help="Speech recogniser for --audio-in/--voice (default: config.yaml).")
@config_option
@click.option("--db", "db", type=click.Path(dir_okay=False),
              help="Record the call (and its work orders) here (default: `database` in config.yaml).")
@click.option("--no-record", is_flag=True, help="Do not write a call record.")
@format_option("text", "json")
@user_errors
def command(menu_file: str, script: Optional[str], route: Optional[str], audio_in: tuple[str, ...],
            voice: bool, engine: Optional[str], config_path: Optional[str], db: Optional[str],
            no_record: bool, fmt: str) -> None:
    """Call MENU: hear the prompts, press keys or say words, see where you go.

    Script lines: `press 1`, `press 1 early`, `say 转人工`, `wait 12`, `hangup`.
    Virtual time: nothing waits for real.
    """
    from ..speech.tts import enable_timing as enable_tts_timing   # the speech stack: only when calling
    config = load_config(config_path)
    if voice:
        config["tts"]["enabled"] = True  # prompts are really spoken: time them as spoken
    enable_tts_timing(config)
    menu = open_menu(menu_file, config=config)
    if route and route not in [r["name"] for r in menu.priority_routes]:
        names = ", ".join(r["name"] for r in menu.priority_routes) or "none"
        raise IvrError(f"menu has no priority route {route!r}", f"routes: {names}", Where(menu_file, 0, 0))
    if not no_record and any(n.kind == "work_order" for n in menu.nodes.values()):
        from ..orders import rules_for_menu
        rules_for_menu(menu.source, menu.id, config)  # bad dispatch rules: say so before the call, not after
    call = Call(menu, config, route=route)
    turns = []
    if audio_in or voice:
        from ..speech.calls import speech_call
        turns = speech_call(call, config, audio_in, voice, engine)
    elif script is None and sys.stdin.isatty():
        _interactive(call)
    else:
        name = "<stdin>" if script in (None, "-") else script
        text = sys.stdin.read() if script in (None, "-") else _read(script)
        run_script(call, parse_script(text, name))
    result = call.to_dict()
    if turns:
        result["speech_turns"] = turns
    if fmt == "json":
        print_json(result)
    elif script is not None or audio_in or voice or not sys.stdin.isatty():
        for event in call.events:
            click.echo(describe(event))
        if not call.ended:
            click.echo(f"[{call.clock:7.1f}s] script ended; caller still at {call.node}")
    if not no_record:  # after the transcript, so a full disk cannot lose it; one transaction for
        path = database_path(config, db)   # the call record and the work orders it created
        saved = save_call(path, menu, result, config, source="live" if (audio_in or voice) else "call")
        for line in describe_saved(saved, path):
            click.echo(line, err=True)


def _read(path: str) -> str:
    try:
        return read_limited(path, MAX_BYTES).decode("utf-8")   # a regular file of bounded size
    except UnicodeDecodeError as err:
        raise IvrError(f"cannot read script {path}: {err}", "give a UTF-8 text file", Where(path, 0, 0)) from None
