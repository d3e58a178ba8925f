"""human-command-key: 0 (and the word "operator") always reaches a person.

A global ``human`` command on key 0, on at every node, and (for English
menus) understanding "operator".

Passing example:

    id: ok
    title: Zero for a person
    start: main
    commands:
      human: {key: "0", say: [operator, agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: Press 0 or say operator for a person. Press 1 for billing.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: nine
    title: Nine, sometimes
    start: main
    commands:
      human: {key: "9", to: agent}
    nodes:
      main:
        kind: menu
        prompt: Press 9 for a person. Press 1 for billing.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ..matching import contains_phrase, normalise

ID = "human-command-key"
SEVERITY = "error"
RATIONALE = "Callers everywhere try 0 or 'operator' first; one convention callers can rely on without listening."
CITATION = {"law": "GetHuman Standard v1.0", "article": "pressing 0 or saying 'operator' must always reach a human",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Add `commands: {human: {key: \"0\", say: [operator, agent], to: <human node>}}` and drop it from `globals_off`."
DEFAULTS = {"key": "0", "phrases": {"en": ["operator"]}}


def check(menu, metrics, ctx):
    cmd = menu.commands.get("human")
    problems = []
    if cmd is None or cmd.key != ctx["key"]:
        problems.append(f"key {ctx['key']} is not the global way to a person")
    off = [metrics.graph.ids[i] for i in metrics.globals_off.get("human", []) if not metrics.ends[i]]
    if cmd is not None and off:
        problems.append(f"the human command is off at {len(off)} node(s), e.g. {off[:3]}")
    wanted = ctx["phrases"].get(menu.language.split("-")[0], [])
    known = [normalise(p) for p in (cmd.phrases if cmd else [])]
    missing = [p for p in wanted if not any(contains_phrase(normalise(p), k) for k in known)]
    if missing:
        problems.append(f"saying {', '.join(missing)!s} does not reach a person")
    if not problems:
        return []
    return [ctx.finding(menu, off[0] if off else None, "; ".join(problems),
                        {"human_command": {"key": cmd.key, "phrases": cmd.phrases} if cmd else None,
                         "globals_off": off[:20]})]
