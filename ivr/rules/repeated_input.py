"""repeated-input: the caller is never asked for the same information twice.

Flags an input asked for again later on the same path: by its `name`, or by
what its prompt asks for (option `concepts`: an account number asked as
"account number" and later as "customer number" is the same thing twice).

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

from ..matching import contains_phrase, normalise

ID = "repeated-input"
SEVERITY = "warning"
RATIONALE = "Asking twice for what the caller already gave wastes their time and says nobody listened."
CITATION = {"law": "GetHuman Standard v1.0", "article": "never make the caller repeat information",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Collect each item once and pass it on (to the agent's screen) instead of asking again."
DEFAULTS = {"concepts": {
    "account number": ["account number", "account no", "customer number", "customer id", "account id",
                       "número de cuenta", "numero de cuenta", "número de cliente", "账号", "账户号", "客户号", "户号"],
    "phone number": ["phone number", "mobile number", "telephone number", "número de teléfono", "手机号", "电话号码"],
    "identity number": ["social security", "national id", "id number", "dni", "nie", "身份证"],
    "order number": ["order number", "order no", "reference number", "número de pedido", "订单号"],
    "date of birth": ["date of birth", "birth date", "fecha de nacimiento", "出生日期"],
    "pin": ["pin", "passcode", "password", "contraseña", "密码"],
}}


def _asks_for(node, concepts: dict) -> set:
    """What an input node asks for: its name, and each concept its prompt names."""
    text = normalise(node.prompt)
    found = {f"name:{node.input_name}"} if node.input_name else set()
    for concept, words in concepts.items():
        if any(contains_phrase(text, normalise(w)) for w in words):
            found.add(concept)
    return found


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
    by_what: dict = {}
    for i in np.flatnonzero(metrics.is_input & metrics.reachable):
        node = menu.nodes[metrics.graph.ids[i]]
        for what in _asks_for(node, ctx["concepts"]):
            by_what.setdefault(what, []).append(node.id)
    found, reported = [], set()
    later_of: dict = {}
    for what, nodes in by_what.items():
        if len(nodes) < 2:
            continue
        for first in nodes:
            if first not in later_of:
                later_of[first] = _later(menu, first)  # one search per node, not one per pair
            again = [n for n in nodes if n != first and n in later_of[first]]
            if again and (first, again[0]) not in reported:
                reported.add((first, again[0]))
                name = what.removeprefix("name:")
                how = "by name" if what.startswith("name:") else "by what the prompts ask for"
                found.append(ctx.finding(menu, again[0], f"{name!r} is asked for at {first!r} and again at "
                                         f"{again[0]!r} on the same call ({how})", {"nodes": [first, *again],
                                                                                      "asks_for": name}))
                break
    return found
