"""Call scripts: what a caller does, one step a line.

    press 1          press keys (several: `press 123456#`)
    press 1 early    act before the prompt ends (only where barge-in is on)
    say 转人工        say something (already recognised text)
    wait 12          stay silent for 12 virtual seconds
    hangup           hang up
    # comment        blank lines and comments are skipped
"""
from __future__ import annotations

from dataclasses import dataclass

from .engine import Call
from .errors import IvrError
from .model import DTMF_KEYS, Where

VERBS = ("press", "say", "wait", "hangup")


@dataclass
class Step:
    verb: str
    arg: str
    early: bool
    where: Where


def parse_script(text: str, file: str = "<script>") -> list[Step]:
    steps = []
    text = text.removeprefix("\ufeff")  # a BOM some editors write, as menus allow
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, arg = line.partition(" ")
        verb, arg = verb.lower(), arg.strip()
        where = Where(file, number, 1)
        if verb not in VERBS:
            raise IvrError(f"unknown script step {verb!r}", f"use one of: {', '.join(VERBS)}", where, "bad-script")
        early = False
        if verb == "press":
            arg, _, flag = arg.partition(" ")
            early = flag.strip() == "early"
            if not arg or any(k not in DTMF_KEYS for k in arg) or flag.strip() not in ("", "early"):
                raise IvrError(f"'press' needs DTMF keys 0-9 * #, got {line!r}", "write e.g. `press 1`", where,
                               "bad-script")
        elif verb == "say" and not arg:
            raise IvrError("'say' needs the words the caller says", "write e.g. `say agent`", where, "bad-script")
        elif verb == "wait":
            try:
                seconds = float(arg)
            except ValueError:
                seconds = -1
            if not 0 <= seconds <= 86400:
                raise IvrError(f"'wait' needs seconds (0-86400), got {arg!r}", "write e.g. `wait 10`", where,
                               "bad-script")
        steps.append(Step(verb, arg, early, where))
    return steps


def run_step(call: Call, step: Step) -> None:
    if step.verb == "press":
        call.press(step.arg, early=step.early)
    elif step.verb == "say":
        call.say(step.arg, early=step.early)
    elif step.verb == "wait":
        call.wait(float(step.arg))
    else:
        call.hangup()


def run_script(call: Call, steps: list[Step]) -> Call:
    """Run the steps until they end or the call does; then the caller keeps
    listening to whatever still plays (up to the next question or the end)."""
    for step in steps:
        if call.ended:
            break
        run_step(call, step)
    call.settle()
    return call
