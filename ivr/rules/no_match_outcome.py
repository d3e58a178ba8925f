"""no-match-outcome: a wrong key or phrase never disconnects or restarts; it retries, then reaches a person.

Passing example:

    id: ok
    title: Wrong input retries, then a person
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        no_match: {retries: 2, then: "@human"}
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: restarts
    title: A wrong key starts over
    start: main
    nodes:
      main:
        kind: menu
        prompt: For billing press 1.
        no_match: {retries: 1, then: "@start"}
        options:
          - {key: "1", to: billing}
      billing:
        kind: menu
        prompt: For a person press 0.
        no_match: {retries: 1, then: "@start"}
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ._policy import policy_findings

ID = "no-match-outcome"
SEVERITY = "error"
RATIONALE = ("A mistyped key or a misrecognised word is the system's problem as much as the caller's; "
             "restarting or hanging up throws away the caller's progress and patience.")
CITATION = {"law": "GetHuman Standard v1.0", "article": "never disconnect a caller because of silence or error",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Set `no_match: {retries: 2, then: \"@human\"}` (in `defaults:` or on the node)."
DEFAULTS = {"allowed": ["human"], "min_retries": 1, "limit": 25}


def check(menu, metrics, ctx):
    return policy_findings(menu, metrics, ctx, metrics.wrong_input, "a wrong input")
