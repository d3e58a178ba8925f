"""prompt-length: no prompt runs longer than a limit (seconds, TTS-measured or estimated).

Passing example:

    id: ok
    title: Short
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: long
    title: Long
    start: main
    nodes:
      main:
        kind: menu
        prompt: >-
          Thank you for calling. Please listen carefully as our menu options have recently changed.
          Your call is important to us and may be recorded for quality and training purposes.
          Did you know that you can manage your account online at any time of day or night?
          Visit our website to view your bill, make a payment, or update your details.
          For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ..timing import prompt_seconds

ID = "prompt-length"
SEVERITY = "warning"
RATIONALE = "Callers forget the first choices of a long prompt and hang up or pick wrongly."
CITATION = {"law": "GetHuman Standard v1.0", "article": "keep prompts short", "date": "c. 2006 (v1.0)",
            "status": "standard"}
FIX = "Cut the prompt: drop marketing and 'options have changed', keep at most 4–5 choices."
DEFAULTS = {"max_s": 25, "limit": 25}


def check(menu, metrics, ctx):
    found = []
    for node in menu.nodes.values():
        if node.kind not in ("menu", "input") or not metrics.reachable[metrics.node(node.id)]:
            continue
        seconds = prompt_seconds(node, menu.language, metrics.config)
        if seconds > ctx["max_s"]:
            found.append(ctx.finding(menu, node.id, f"the prompt at {node.id!r} lasts {seconds:.0f} s "
                                     f"(limit {ctx['max_s']} s)", {"seconds": seconds}))
            if len(found) >= ctx["limit"]:
                break
    return found
