"""queue-service-level: a share of calls reaches a person within a target time (Erlang C).

Passing example:

    id: ok
    title: 95 % within 3 minutes
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
from ..metrics import queue_figures
from ._common import evidence, modelled_queues

ID = "queue-service-level"
SEVERITY = "error"
RATIONALE = "An average hides the long waits; a service level says how many callers wait too long."
CITATION = {"law": "Ley 10/2025 de servicios de atención a la clientela (Spain)", "article": "art. 8: on average "
            "95 % of calls answered by a person within 3 minutes", "date": "2025-12-26 (BOE 2025-12-27; "
            "adaptation until 2026-12-28)", "status": "in force"}
FIX = ("Add agents until the service level is met (`ivr queue agents --calls-per-hour R --aht S --target 180 "
       "--service-level 0.95`).")
DEFAULTS = {"target_s": 180, "min_level": 0.95}
BOUNDS = {"min_level": (0, 1)}   # a share of calls


def check(menu, metrics, ctx):
    found = []
    for node, q in modelled_queues(menu, metrics):
        r = queue_figures(q, ctx["target_s"])
        if r["service_level"] < ctx["min_level"]:
            said = (f"nobody answers at {node.id!r} (the queue has agents: 0): no caller reaches a person"
                    if q.agents == 0 else f"only {r['service_level']:.0%} of callers reach a person at {node.id!r}")
            found.append(ctx.finding(menu, node.id, f"{said} within {ctx['target_s']} s "
                                     f"(needed {ctx['min_level']:.0%})",
                                     evidence(metrics, node.id, service_level=r["service_level"],
                                              agents=q.agents, calls_per_hour=q.calls_per_hour, aht_s=q.aht_s)))
    return found
