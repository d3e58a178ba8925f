"""queue-wait: the expected wait for a person (Erlang C) stays under a limit.

Needs the queue's `agents`, `aht_s` and `calls_per_hour`; a queue with
`agents: 0` (e.g. out of hours) never answers and always fails; a human node
without them cannot be checked, and is reported as a gap only when the
option `require_model` is on.

Passing example:

    id: ok
    title: Enough agents
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 0 for a person.
        options:
          - {key: "0", to: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: main, agents: 12, aht_s: 240, calls_per_hour: 120}

Failing example:

    id: short-staffed
    title: Too few agents
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 0 for a person.
        options:
          - {key: "0", to: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: main, agents: 9, aht_s: 240, calls_per_hour: 130}
"""
import math

from ._common import evidence, modelled_queues, queued

ID = "queue-wait"
SEVERITY = "error"
RATIONALE = "Reaching the queue is not reaching a person: a long hold is the same wall as a deep menu."
CITATION = {"law": "ivr product guarantee", "article": "expected wait for a person", "date": "",
            "status": "guidance"}
FIX = "Add agents to the queue (see `ivr queue agents`), or offer a call-back."
DEFAULTS = {"max_asa_s": 120, "require_model": False}


def check(menu, metrics, ctx):
    found = []
    modelled = modelled_queues(menu, metrics)
    if ctx["require_model"]:
        have = {node.id for node, _ in modelled}
        found += [ctx.finding(menu, node.id, f"queue at {node.id!r} has no agents/aht_s/calls_per_hour to check "
                              "the wait against") for node in queued(menu, metrics) if node.id not in have]
    for node, q in modelled:
        r = metrics.queues[node.id]  # Erlang C at 20 s, computed once by the metrics
        if r["asa_s"] > ctx["max_asa_s"]:
            wait = "for ever (the queue is overloaded)" if math.isinf(r["asa_s"]) else f"{r['asa_s']:.0f} s on average"
            said = (f"nobody answers at {node.id!r}: the queue has agents: 0, so callers wait for ever"
                    if q.agents == 0 else f"callers wait {wait} for a person at {node.id!r}")
            found.append(ctx.finding(menu, node.id, f"{said} (limit {ctx['max_asa_s']} s)",
                                     evidence(metrics, node.id, asa_s=r["asa_s"], p_wait=r["p_wait"],
                                              agents=q.agents, calls_per_hour=q.calls_per_hour, aht_s=q.aht_s)))
    return found
