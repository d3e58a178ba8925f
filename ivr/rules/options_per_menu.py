"""options-per-menu: at most N choices in one menu.

Passing example:

    id: ok
    title: Three choices
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1, 2 or 0.
        options:
          - {key: "1", to: agent}
          - {key: "2", to: agent}
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: wall
    title: Seven choices
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1 to 7.
        options:
          - {key: "1", to: agent}
          - {key: "2", to: agent}
          - {key: "3", to: agent}
          - {key: "4", to: agent}
          - {key: "5", to: agent}
          - {key: "6", to: agent}
          - {key: "7", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

ID = "options-per-menu"
SEVERITY = "warning"
RATIONALE = "Callers hold only a few spoken choices in memory; long lists cause wrong picks and replays."
CITATION = {"law": "IVR usability guidance (short-term memory limits on spoken menus)",
            "article": "at most 4–5 options per menu", "date": "", "status": "guidance"}
FIX = "Split the menu, or move rare choices behind an 'other questions' option."
DEFAULTS = {"max_options": 5, "limit": 25}


def check(menu, metrics, ctx):
    bad = np.flatnonzero((metrics.options > ctx["max_options"]) & metrics.reachable)
    return [ctx.finding(menu, metrics.graph.ids[i], f"{metrics.graph.ids[i]!r} offers {metrics.options[i]} "
                        f"choices (limit {ctx['max_options']})") for i in bad[:ctx["limit"]]]
