"""loop-without-exit: no set of nodes may trap the caller with no way to a person, a hang-up or an end.

Passing example:

    id: ok
    title: The loop has a way out
    start: a
    nodes:
      a:
        kind: menu
        prompt: Press 1 for more, 0 for a person.
        options:
          - {key: "1", to: b}
          - {key: "0", to: agent}
      b: {kind: announcement, prompt: More information., next: a}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: trap
    title: Round and round
    start: a
    nodes:
      a:
        kind: menu
        prompt: Press 1 for more.
        no_input: {retries: 1, then: "@repeat"}
        no_match: {retries: 1, then: "@repeat"}
        options:
          - {key: "1", to: b}
      b: {kind: announcement, prompt: More information., next: a}
"""
import numpy as np

from ._common import evidence

ID = "loop-without-exit"
SEVERITY = "error"
RATIONALE = "A caller caught in a loop can only hang up: the call fails and the caller pays for it."
CITATION = {"law": "ivr product guarantee", "article": "no loop without exit", "date": "", "status": "guidance"}
FIX = "Give a node in the loop an option to a human node, or turn on the global `human` command there."
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    bad = np.flatnonzero(metrics.trapped & ~metrics.dead_end & metrics.reachable)
    loop = [metrics.graph.ids[i] for i in bad]
    return [ctx.finding(menu, nid, f"{nid!r} is in a loop that never leads to a person, a hang-up or an end "
                        f"({len(loop)} node(s) trapped)", evidence(metrics, nid, loop=loop[:20]))
            for nid in loop[:ctx["limit"]]]
