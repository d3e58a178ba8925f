"""leaves-menu: say where the call goes when it leaves what the menu file shows.

Importers map what a platform file does but ivr cannot follow (a transfer to
an extension or an outside number, a branch on data) to a node of kind
`unknown` with a note. Whether a person answers there cannot be checked, so it
is neither a dead end nor a person: the finding names the destination for a
human to check.

Passing example:

    id: ok
    title: Every path stays in the menu
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 0 for a person.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: out
    title: Key 1 transfers to an extension
    start: main
    nodes:
      main:
        kind: menu
        prompt: Press 1 for sales, 0 for a person.
        options:
          - {key: "1", to: sales_ext}
          - {key: "0", to: agent}
      sales_ext: {kind: unknown, note: "transfer to external number 1001"}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

from ._common import evidence

ID = "leaves-menu"
SEVERITY = "warning"
RATIONALE = ("A transfer the menu file cannot show may reach a person, a voicemail or another maze; "
             "an audit that guesses either way misleads.")
CITATION = {"law": "ivr product guarantee", "article": "findings are never guesses", "date": "", "status": "guidance"}
FIX = ("Check the destination on the platform. If a person answers there, import it as a queue "
       "(or write it as a `human` node); otherwise describe it in the menu.")
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    ids = [metrics.graph.ids[i] for i in np.flatnonzero(metrics.reachable)]
    found = [nid for nid in ids if menu.nodes[nid].kind == "unknown"]
    return [ctx.finding(menu, nid, f"{nid!r} leaves what this file shows: "
                        f"{menu.nodes[nid].note or 'an unmapped step'}; whether a person answers is not checked",
                        evidence(metrics, nid)) for nid in found[:ctx["limit"]]]
