"""queue-announces-wait: callers hear their estimated wait when they join a queue.

Passing example:

    id: ok
    title: Wait announced
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
        queue: {name: main, announce_wait: true}

Failing example:

    id: silent-hold
    title: Hold music only
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
        queue: {name: main}
"""
from ._common import queues_without

ID = "queue-announces-wait"
SEVERITY = "warning"
RATIONALE = "Knowing the wait lets callers decide to hold, call back, or try later instead of hanging on blind."
CITATION = {"law": "GetHuman Standard v1.0", "article": "give an estimated wait time on entering the queue",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Set `queue: {announce_wait: true}` on the human node."
DEFAULTS: dict = {}


def check(menu, metrics, ctx):
    return queues_without(menu, metrics, ctx, "announce_wait", "does not announce the expected wait")
