"""human-reachable: a person within N caller actions from every node, by key and by voice.

Counts the fewest key presses (and, separately, the fewest utterances) from
each node to a human node; a global ``human`` command is one action from every
node where it is on. Silence and wrong input do not count as a way there.

Passing example:

    id: ok
    title: A person is one key or word away
    start: main
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: For billing press 1. For a person press 0 or say agent.
        options:
          - {key: "1", say: [billing], to: billing}
      billing: {kind: self_service, prompt: Billing., answer: Pay online., next: main}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: deep
    title: The person hides two menus down, keys only
    start: main
    nodes:
      main:
        kind: menu
        prompt: For billing press 1.
        options:
          - {key: "1", to: billing}
      billing:
        kind: menu
        prompt: For other questions press 9.
        options:
          - {key: "9", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

from ._common import evidence, live_ids

ID = "human-reachable"
SEVERITY = "error"
RATIONALE = ("Callers who need a person should not have to dig through menus: every extra step "
             "loses callers and hides the one way out of a menu that does not fit their problem.")
CITATION = {"law": "ivr product guarantee", "article": "a person within 1 step, by key and by voice",
            "date": "", "status": "guidance"}
FIX = ("Add a global command `human: {key: \"0\", say: [agent, operator], to: <human node>}` "
       "and remove the node from its `globals_off`.")
DEFAULTS = {"max_steps_key": 1, "max_steps_voice": 1, "limit": 25}
NULLABLE = ("max_steps_key", "max_steps_voice")   # null: that way to a person is not checked


def check(menu, metrics, ctx):
    found = []
    for label, steps, limit in (("key", metrics.steps_key, ctx["max_steps_key"]),
                                ("voice", metrics.steps_voice, ctx["max_steps_voice"])):
        if limit is None:
            continue
        bad = live_ids(metrics, ~(steps <= limit))
        if not bad:
            continue
        live = steps[metrics.reachable & ~metrics.ends]
        finite, cut_off = live[np.isfinite(live)], int((~np.isfinite(live)).sum())
        worst_txt = (f"worst by {label} in this menu: {finite.max():.0f} actions" if finite.size
                     else f"no node in this menu has a way to a person by {label}")
        if finite.size and cut_off:
            worst_txt += f"; no way by {label} from {cut_off} node(s)"
        for nid in bad[:ctx["limit"]]:
            got = steps[metrics.node(nid)]
            how = (f"there is no way to a person by {label}" if not np.isfinite(got)
                   else f"a person is {got:.0f} {label} actions away")
            found.append(ctx.finding(menu, nid, f"from {nid!r} {how} (limit {limit}; {worst_txt})",
                                     evidence(metrics, nid, by=label)))
        if len(bad) > ctx["limit"]:
            found[-1].message += f" (and {len(bad) - ctx['limit']} more node(s) by {label})"
    return found
