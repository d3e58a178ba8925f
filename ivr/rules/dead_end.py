"""dead-end: every node that does not end the call leads somewhere.

Passing example:

    id: ok
    title: The info goes back to the menu
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1 for hours, 0 for a person.
        options:
          - {key: "1", to: hours}
          - {key: "0", to: agent}
      hours: {kind: goto, next: main}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: stuck
    title: A jump to nowhere
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1 for hours, 0 for a person.
        options:
          - {key: "1", to: hours}
          - {key: "0", to: agent}
      hours: {kind: goto}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

from ._common import evidence

ID = "dead-end"
SEVERITY = "error"
RATIONALE = "A node with nowhere to go leaves the caller in silence until they give up."
CITATION = {"law": "ivr product guarantee", "article": "no dead ends", "date": "", "status": "guidance"}
FIX = "Give the node a `next`, options, or make it a `hangup` node with a goodbye."
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    ids = [metrics.graph.ids[i] for i in np.flatnonzero(metrics.dead_end & metrics.reachable)]
    return [ctx.finding(menu, nid, f"{nid!r} leads nowhere: the caller is left in silence",
                        evidence(metrics, nid)) for nid in ids[:ctx["limit"]]]
