"""human-in-main-menu: the first menu offers a person among its choices.

The first node that asks the caller to choose (after any greeting) must both
offer a one-action way to a person and say so in its prompt. An option counts
when its route reaches a person with no further action (through a "please
hold" or a legal notice); so does a greeting before the main menu that says how
to reach a person at any time, when that way (the global human command) works
at the main menu.

Passing example:

    id: ok
    title: Person among the main choices
    start: main
    nodes:
      main:
        kind: menu
        prompt: For billing press 1. To speak to a person press 0.
        options:
          - {key: "1", to: billing}
          - {key: "0", to: agent}
      billing: {kind: self_service, prompt: Billing., answer: Pay online., next: main}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: hidden
    title: Person only in a sub-menu
    start: main
    nodes:
      main:
        kind: menu
        prompt: For billing press 1.
        options:
          - {key: "1", to: billing}
      billing:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ..metrics import AUTO_KINDS, offers_human
from ._common import evidence, first_menu

ID = "human-in-main-menu"
SEVERITY = "error"
RATIONALE = "Callers decide in the main menu; a person must be one of the choices they hear there."
CITATION = {"law": "Ley 10/2025 de servicios de atención a la clientela (Spain)", "article": "art. 8",
            "date": "2025-12-26", "status": "in force"}
FIX = "Add a choice to a human node to the main menu and say it in the prompt ('To speak to a person, press 0')."
DEFAULTS: dict = {}


def check(menu, metrics, ctx):
    node = first_menu(menu)
    if node is None:
        return []  # the call never asks for a choice: nothing to navigate
    humans = set(menu.human_nodes())   # once: each look-up would walk every node
    if offers_human(menu, node, humans) or _greeting_announces_human(menu, node, humans):
        return []
    return [ctx.finding(menu, node.id, f"the main menu {node.id!r} does not offer a person among its choices",
                        evidence(metrics, node.id))]


def _greeting_announces_human(menu, main, humans: set) -> bool:
    """An announcement on the way from the start to the main menu says how to reach
    a person at any time, and that way (the global human command) works there."""
    if menu.command("human", main) is None:
        return False
    nid, seen = menu.start, set()
    while nid in menu.nodes and nid != main.id and nid not in seen:
        seen.add(nid)
        node = menu.nodes[nid]
        if node.kind not in AUTO_KINDS:
            return False
        if offers_human(menu, node, humans):
            return True
        nid = menu.resolve(node.next or "", nid) or ""
    return False
