"""queue-callback: a queue offers to call the caller back instead of holding.

Passing example:

    id: ok
    title: Call-back offered
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
        queue: {name: main, callback: true}

Failing example:

    id: hold-only
    title: Hold or hang up
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

ID = "queue-callback"
SEVERITY = "warning"
RATIONALE = "A call-back turns waiting on hold into waiting free; callers stop abandoning the queue."
CITATION = {"law": "GetHuman Standard v1.0", "article": "offer a call-back when the wait is long",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Set `queue: {callback: true}` on the human node."
DEFAULTS: dict = {}


def check(menu, metrics, ctx):
    return queues_without(menu, metrics, ctx, "callback", "offers no call-back")
