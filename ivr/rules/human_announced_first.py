"""human-announced-first: the way to a person is announced within the first N prompts.

Counts the prompts a caller hears from the start before one announces a
one-action way to a person (its key, or a word, that works right there).

Passing example:

    id: ok
    title: Announced in the first prompt
    start: main
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: For a person at any time press 0 or say agent. For billing press 1.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: late
    title: The person is never mentioned up front
    start: intro
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      intro: {kind: announcement, prompt: Thanks for calling. Calls are recorded., next: main}
      main:
        kind: menu
        prompt: For billing press 1.
        options:
          - {key: "1", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
ID = "human-announced-first"
SEVERITY = "error"
RATIONALE = ("A way to a person that nobody is told about does not help: callers must hear it "
             "before they are asked to navigate.")
CITATION = {"law": "ivr product guarantee", "article": "the human option is announced in the first prompt",
            "date": "", "status": "guidance"}
FIX = ("Say the human key and word in the first prompt, e.g. 'To speak to a person at any time, "
       "press 0 or say agent.'")
DEFAULTS = {"max_prompts": 0}


def check(menu, metrics, ctx):
    heard = metrics.prompts_before_human
    if heard is not None and heard <= ctx["max_prompts"]:
        return []
    if heard is None:
        msg = "no prompt reachable from the start ever announces a way to a person"
        node, ev = menu.start, {"path": [menu.start]}
    else:
        node = metrics.first_offer
        msg = (f"the caller hears {heard} prompt(s) before one announces a person "
               f"(first at {node!r}; limit {ctx['max_prompts']})")
        ev = {"path": metrics.path_from_start(node), "prompts_before_human": heard}
    return [ctx.finding(menu, node, msg, ev)]
