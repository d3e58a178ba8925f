"""stranding-guard: the never-stranded guard (人工托底) must not be switched off.

At run time ivr's call engine sends a caller to a person after N failed turns
in a row, or at once on a complaint, even where the menu would retry, restart
or hang up (ivr/guard.py). A menu may switch that off (`guard: {enabled:
false}`), and so may config.yaml. This rule says so. The guard never counts
as a way to a person in the metrics: it is a safety net after N failures, not
one step, so a menu without a human command still fails `human-reachable`.

Passing example:

    id: ok
    title: The guard is on (the default)
    start: main
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: Press 1 for billing, 0 for a person.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: off
    title: The menu switches the guard off
    start: main
    guard: {enabled: false}
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: Press 1 for billing, 0 for a person.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ..guard import guard_for

ID = "stranding-guard"
SEVERITY = "warning"
RATIONALE = ("Callers who fail again and again, or complain, are the ones a menu strands; with the guard "
             "off nothing takes them to a person when the menu's own design does not.")
CITATION = {"law": "ivr product guarantee", "article": "never stranded: a person after repeated failures or a complaint",
            "date": "", "status": "guidance"}
FIX = "Remove `guard: {enabled: false}` from the menu (or set guard.enabled: true in config.yaml)."
DEFAULTS: dict = {}


def check(menu, metrics, ctx):
    guard = guard_for(menu, metrics.config)
    if guard.enabled:
        return []
    by = "the menu (guard: {enabled: false})" if guard.switched_off_by_menu else "config.yaml (guard.enabled: false)"
    return [ctx.finding(menu, None, f"the never-stranded guard is switched off by {by}: after repeated "
                        "silence or wrong input, or a complaint, callers get only the menu's own policies")]
