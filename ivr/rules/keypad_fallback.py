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
    for node in menu.nodes.values():
        speech_only = [o for o in node.options if o.phrases and not o.key]
        if speech_only and metrics.reachable[metrics.node(node.id)]:
            found.append(ctx.finding(menu, node.id, f"{len(speech_only)} choice(s) at {node.id!r} have no key: "
                                     f"{[o.phrases[0] for o in speech_only]}"))
            if len(found) >= ctx["limit"]:
                break
    return found
