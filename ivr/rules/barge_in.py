"""barge-in: callers can interrupt every menu prompt with their choice.

Passing example:

    id: ok
    title: Interruptible
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: forced
    title: Listen to the end
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        barge_in: false
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

from ._common import evidence

ID = "barge-in"
SEVERITY = "error"
RATIONALE = "Repeat callers know what they want; forcing them through every prompt wastes minutes per call."
CITATION = {"law": "GetHuman Standard v1.0", "article": "let callers interrupt prompts (barge-in)",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Set `barge_in: true` (in `defaults:` or on the node)."
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    # menus and input prompts are where the caller chooses; announcements are forced-adverts' business
    forced = (metrics.forced_s > 0) & (metrics.is_menu | metrics.is_input) & metrics.reachable
    ids = [metrics.graph.ids[i] for i in np.flatnonzero(forced)]
    return [ctx.finding(menu, nid, f"the prompt at {nid!r} cannot be interrupted: "
                        f"{metrics.forced_s[metrics.node(nid)]:.0f} s of forced listening",
                        evidence(metrics, nid, forced_s=float(metrics.forced_s[metrics.node(nid)])))
            for nid in ids[:ctx["limit"]]]
