"""What silence and wrong input do: shared by no-input-outcome and no-match-outcome."""
from __future__ import annotations

from ._common import evidence

WORDS = {"disconnect": "hangs up on the caller", "restart": "sends the caller back to the start",
         "retry": "replays the same prompt for ever", "menu": "moves the caller to another menu",
         "back": "sends the caller back a step", "loop": "loops without end", "unknown": "goes nowhere known",
         "human": "goes to a person"}


def policy_findings(menu, metrics, ctx, table, event: str) -> list:
    """Findings for the rows of a PolicyTable whose outcome or retries break the rule."""
    found = []
    for j in table.failing(ctx["allowed"], ctx["min_retries"]):
        if not metrics.reachable[table.rows[j]]:
            continue
        nid = metrics.graph.ids[table.rows[j]]
        got = table[nid]
        bad_outcome = got["outcome"] not in ctx["allowed"]
        forever = got["outcome"] == "retry"  # replays without end: a retry count means nothing there
        few_retries = got["retries"] < ctx["min_retries"] and not forever
        why = []
        if bad_outcome and forever:
            why.append(f"{event} at {nid!r} {WORDS['retry']}, never reaching a person")
        elif bad_outcome:
            why.append(f"{event} at {nid!r} {WORDS.get(got['outcome'], got['outcome'])} "
                       f"(after {got['retries']} retr{'y' if got['retries'] == 1 else 'ies'}, then {got['then']!r})")
        if few_retries:
            why.append(f"{event} at {nid!r} gets only {got['retries']} retries (at least {ctx['min_retries']})")
        if not why:
            continue
        found.append(ctx.finding(menu, nid, "; ".join(why),
                                 evidence(metrics, nid, event=event, outcome=got["outcome"],
                                          retries=got["retries"], then=got["then"])))
        if len(found) >= ctx["limit"]:
            break
    return found
