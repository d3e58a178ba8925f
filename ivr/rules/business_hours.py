"""business-hours: a person reachable only in business hours is said so, with a call-back or message outside them.

Reads each reachable queue's `hours` (ivr/queueing/hours.py) over one week in
15-minute steps. When no queue is open at some time (priority lines such as
an emergency number do not count), callers must hear the hours somewhere (a
time such as 8:00 or "8 am", "opening hours", 营业时间, horario) and be
offered a call-back (`queue: {callback: true}`) or a way to leave a message
(a work order). When some queues are open but the one the global ``human``
command leads to is closed, the one-step route is a dead end at that time.

Passing example:

    id: ok
    title: Office hours said, call-back offered
    start: main
    commands:
      human: {key: "0", to: agent}
    nodes:
      main:
        kind: menu
        prompt: Our agents answer Monday to Friday 8:00 to 18:00. For a person press 0.
        options:
          - {key: "1", to: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: office, hours: "Mon-Fri 08:00-18:00", callback: true}

Failing example:

    id: closed-silently
    title: Nights and weekends nobody, and nobody says so
    start: main
    commands:
      human: {key: "0", to: agent}
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "1", to: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: office, hours: "Mon-Fri 08:00-18:00"}
"""
import re

import numpy as np

from ..queueing.hours import DAYS, is_open, parse_hours
from ._common import queued

ID = "business-hours"
SEVERITY = "error"
RATIONALE = ("Outside business hours a 'person in one step' leads nowhere; callers must be told when "
             "people answer and be able to leave a call-back or message instead of being stranded.")
CITATION = {"law": "ivr product guarantee", "article": "a person is reachable, and where only in business hours "
            "the hours are said and a call-back or message is offered", "date": "", "status": "guidance"}
FIX = ("Say the hours in the first prompt or the transfer prompt ('Our agents answer 8:00 to 20:00') and set "
       "`queue: {callback: true}` or add a work order to leave a message; point the human command at a queue that "
       "is open whenever others are.")
DEFAULTS = {"pattern": r"\d{1,2}:\d{2}|\b\d{1,2}\s*(am|pm|a\.m\.|p\.m\.)|opening hours|business hours|office hours|"
                       r"horario|营业时间|工作时间|服务时间|\d+\s*点"}
STEP_S = 900   # 15 minutes: queue hours are written in quarter hours or coarser


def _when(t: int) -> str:
    return f"{DAYS[t // 86400 % 7].title()} {t % 86400 // 3600:02d}:{t % 3600 // 60:02d}"


def check(menu, metrics, ctx):
    staffed = [n for n in queued(menu, metrics) if not (n.queue and n.queue.priority)]
    if not staffed:
        return []
    t = np.arange(0, 7 * 86400, STEP_S)
    open_at = {n.id: is_open(parse_hours(n.queue.hours if n.queue else "24x7", n.where), t) for n in staffed}
    anyone = np.logical_or.reduce(list(open_at.values()))
    found = []
    if not anyone.all():
        closed = int(t[np.flatnonzero(~anyone)[0]])
        texts = [menu.nodes[metrics.graph.ids[i]].spoken_text() for i in np.flatnonzero(metrics.reachable)]
        says = any(re.search(ctx["pattern"], text.casefold()) for text in texts)
        instead = any(n.queue and n.queue.callback for n in staffed) or any(
            menu.nodes[metrics.graph.ids[i]].kind == "work_order" for i in np.flatnonzero(metrics.reachable))
        missing = [w for w, ok in (("the menu never says its hours", says),
                                   ("no call-back or message is offered", instead)) if not ok]
        if missing:
            found.append(ctx.finding(menu, staffed[0].id, f"from {_when(closed)} no queue is open "
                                     f"({', '.join(f'{n.id}: {n.queue.hours}' for n in staffed if n.queue)}), and "
                                     f"{' and '.join(missing)}", {"closed_from": _when(closed)}))
    cmd = menu.commands.get("human")
    target = menu.resolve("@human") if cmd else None
    if target in open_at:
        stranded = anyone & ~open_at[target]
        if stranded.any():
            at = int(t[np.flatnonzero(stranded)[0]])
            others = [nid for nid, o in open_at.items() if o[np.flatnonzero(stranded)[0]]]
            found.append(ctx.finding(menu, target, f"at {_when(at)} the human command leads to {target!r}, which is "
                                     f"closed, while {', '.join(map(repr, others))} is open",
                                     {"closed_from": _when(at), "open": others}))
    return found
