"""menu-depth: no node is more than N caller actions below the start.

Passing example:

    id: ok
    title: Shallow
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1 or 0.
        options:
          - {key: "1", to: agent}
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: deep
    title: Four levels
    start: a
    nodes:
      a: {kind: menu, prompt: Press 1., options: [{key: "1", to: b}]}
      b: {kind: menu, prompt: Press 1., options: [{key: "1", to: c}]}
      c: {kind: menu, prompt: Press 1., options: [{key: "1", to: d}]}
      d: {kind: menu, prompt: Press 1., options: [{key: "1", to: agent}]}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

from ._common import evidence

ID = "menu-depth"
SEVERITY = "warning"
RATIONALE = "Every level is another prompt to sit through and another chance to take a wrong turn."
CITATION = {"law": "IVR usability guidance", "article": "menu depth at most 3 levels", "date": "",
            "status": "guidance"}
FIX = "Flatten the tree: merge levels or route by speech ('tell me in a few words what you need')."
DEFAULTS = {"max_depth": 3}


def check(menu, metrics, ctx):
    depth = np.where(metrics.reachable, metrics.depth, -1)
    i = int(np.argmax(depth)) if depth.size else 0
    if depth.size == 0 or depth[i] <= ctx["max_depth"]:
        return []
    nid = metrics.graph.ids[i]
    return [ctx.finding(menu, nid, f"{nid!r} is {depth[i]:.0f} actions below the start "
                        f"(limit {ctx['max_depth']})", evidence(metrics, nid, depth=float(depth[i])))]
