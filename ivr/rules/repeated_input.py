"""repeated-input: the caller is never asked for the same information twice.

Flags an input (by its `name`) asked for again later on the same path.

Passing example:

    id: ok
    title: Asked once
    start: account
    commands:
      human: {key: "0", to: agent}
    nodes:
      account: {kind: input, prompt: Enter your account number or press 0., name: account, next: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: twice
    title: Asked again
    start: account
    commands:
      human: {key: "0", to: agent}
    nodes:
      account: {kind: input, prompt: Enter your account number or press 0., name: account, next: verify}
      verify: {kind: input, prompt: Please enter your account number again., name: account, next: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

ID = "repeated-input"
SEVERITY = "warning"
RATIONALE = "Asking twice for what the caller already gave wastes their time and says nobody listened."
CITATION = {"law": "GetHuman Standard v1.0", "article": "never make the caller repeat information",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Collect each item once and pass it on (to the agent's screen) instead of asking again."
DEFAULTS: dict = {}


def _later(menu, start: str) -> set:
    """Nodes the caller can go on to from `start` by the menu's own links
    (options and next; not silence, errors or going back to the start)."""
    seen, todo = set(), [start]
    while todo:
        node = menu.nodes.get(todo.pop())
        for t in [o.target for o in node.options] + ([node.next] if node.next else []):
            nid = menu.resolve(t, node.id)
            if nid in menu.nodes and nid not in seen and t != "@start":
                seen.add(nid)
                todo.append(nid)
    return seen


def check(menu, metrics, ctx):
    by_name: dict = {}
    for i in np.flatnonzero(metrics.is_input & metrics.reachable):
        node = menu.nodes[metrics.graph.ids[i]]
        if node.input_name:
            by_name.setdefault(node.input_name, []).append(node.id)
    found = []
    for name, nodes in by_name.items():
        if len(nodes) < 2:
            continue
        for first in nodes:
            later = _later(menu, first)  # one search per node, not one per pair
            again = [n for n in nodes if n != first and n in later]
            if again:
                found.append(ctx.finding(menu, again[0], f"{name!r} is asked for at {first!r} and again at "
                                         f"{again[0]!r} on the same call", {"nodes": [first, *again]}))
                break
    return found
