"""keypad-fallback: every spoken choice also has a key.

Speech recognition fails in noise, with accents, and for callers who cannot
speak; a key must do what each phrase does.

Passing example:

    id: ok
    title: Keys and words
    start: main
    nodes:
      main:
        kind: menu
        prompt: Say billing or press 1. Say agent or press 0.
        options:
          - {key: "1", say: [billing], to: agent}
          - {key: "0", say: [agent], to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: speech-only
    title: Words only
    start: main
    nodes:
      main:
        kind: menu
        prompt: Say billing, or say agent.
        options:
          - {say: [billing], to: agent}
          - {say: [agent], to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

ID = "keypad-fallback"
SEVERITY = "error"
RATIONALE = "A speech-only choice locks out callers whose speech is not recognised."
CITATION = {"law": "GetHuman Standard v1.0", "article": "offer a keypad alternative for speech menus",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Give each spoken option (and the global human command) a `key`."
DEFAULTS = {"limit": 25}


def check(menu, metrics, ctx):
    found = []
    cmd = menu.commands.get("human")
    if cmd is not None and cmd.phrases and not cmd.key:
        found.append(ctx.finding(menu, None, "the global human command can be said but has no key"))
    for i in np.flatnonzero((metrics.speech_only > 0) & metrics.reachable)[:ctx["limit"]]:
        node = menu.nodes[metrics.graph.ids[i]]
        words = [o.phrases[0] for o in node.options if o.phrases and not o.key]
        found.append(ctx.finding(menu, node.id, f"{len(words)} choice(s) at {node.id!r} have no key: {words}"))
    return found
