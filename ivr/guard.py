"""Never stranded (人工托底): the run-time guard's settings.

The call engine (ivr.engine) sends a caller to a person after
`max_failures` failed turns in a row (silence or a wrong key/phrase, counted
across nodes), or at once when the caller complains ("投诉", "this is useless",
"queja": ivr.intents), even where the menu itself would retry, restart or hang
up. The person is the menu's human node, or, where the menu has none (e.g. an
imported FreeSWITCH demo), the fallback agent line of config.yaml: the call
then ends with the outcome `fallback_agent`, which counts as reaching a person.

On by default (`guard:` in config.yaml). A menu switches it off with
`guard: {enabled: false}` (menus/maze.yaml does, to show the anti-pattern)
and may set its own `max_failures`. The audit reports it (rule
`stranding-guard`) but never counts it as a way to a person: it is a safety
net after N failures, not one step.
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT = {"enabled": True, "max_failures": 3,
           "fallback_agent": {"name": "fallback agent line", "number": ""}}


@dataclass(frozen=True)
class Guard:
    enabled: bool = True
    max_failures: int = 3
    fallback_agent: dict = field(default_factory=dict)  # {name, number}: where a menu has no human node
    switched_off_by_menu: bool = False


def guard_for(menu, config: dict) -> Guard:
    """The guard as it applies to `menu`: config.yaml's `guard:`, then the menu's own `guard:`."""
    conf = {**DEFAULT, **(config.get("guard") or {})}
    own = getattr(menu, "guard", None) or {}
    enabled = bool(conf["enabled"]) and own.get("enabled", True) is not False
    mine = own.get("max_failures")
    return Guard(enabled=enabled, max_failures=mine if isinstance(mine, int) and mine >= 1 else int(conf["max_failures"]),
                 fallback_agent=dict(conf.get("fallback_agent") or DEFAULT["fallback_agent"]),
                 switched_off_by_menu=own.get("enabled", True) is False)
