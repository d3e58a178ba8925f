"""unreachable-node: every node can be reached from the start (or a priority route).

Passing example:

    id: ok
    title: All nodes used
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 0 for a person.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: orphan
    title: A forgotten node
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 0 for a person.
        options:
          - {key: "0", to: agent}
      old_promo: {kind: announcement, prompt: Our old offer., next: main}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

ID = "unreachable-node"
SEVERITY = "warning"
RATIONALE = "An unreachable node is dead design: often a choice someone meant to offer and forgot to link."
CITATION = {"law": "design guidance", "article": "no unreachable nodes", "date": "", "status": "guidance"}
FIX = "Link to the node from an option or `next`, or delete it."
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    ids = [metrics.graph.ids[i] for i in np.flatnonzero(~metrics.reachable)]
    return [ctx.finding(menu, nid, f"{nid!r} cannot be reached from the start {menu.start!r}")
            for nid in ids[:ctx["limit"]]]
