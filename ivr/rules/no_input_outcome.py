"""no-input-outcome: silence never disconnects or restarts the call; it retries, then reaches a person.

Passing example:

    id: ok
    title: Silence retries, then a person
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        no_input: {retries: 2, then: "@human"}
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: hangs-up
    title: Silence hangs up
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        no_input: {retries: 0, then: "@hangup"}
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ._policy import policy_findings

ID = "no-input-outcome"
SEVERITY = "error"
RATIONALE = ("Callers go silent because they are confused, slow, elderly, or the menu has no fitting "
             "choice; hanging up or starting over punishes exactly the callers who most need help.")
CITATION = {"law": "GetHuman Standard v1.0", "article": "never disconnect a caller because of silence or error",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Set `no_input: {retries: 2, then: \"@human\"}` (in `defaults:` or on the node)."
DEFAULTS = {"allowed": ["human"], "min_retries": 1, "limit": 25}


def check(menu, metrics, ctx):
    return policy_findings(menu, metrics, ctx, metrics.silence, "silence")
