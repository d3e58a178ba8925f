"""prompt-length: no prompt runs longer than a limit (seconds, TTS-measured or estimated).

Menu and input prompts, and (option `forced_announcements`) announcements,
answers and notices the caller cannot interrupt (`barge_in: false`): a
two-minute legal notice is as long to sit through as a two-minute menu.

Passing example:

    id: ok
    title: Short
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: long
    title: Long
    start: main
    nodes:
      main:
        kind: menu
        prompt: >-
          Thank you for calling. Please listen carefully as our menu options have recently changed.
          Your call is important to us and may be recorded for quality and training purposes.
          Did you know that you can manage your account online at any time of day or night?
          Visit our website to view your bill, make a payment, or update your details.
          For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import numpy as np

ID = "prompt-length"
SEVERITY = "warning"
RATIONALE = "Callers forget the first choices of a long prompt and hang up or pick wrongly."
CITATION = {"law": "GetHuman Standard v1.0", "article": "keep prompts short", "date": "c. 2006 (v1.0)",
            "status": "standard"}
FIX = "Cut the prompt: drop marketing and 'options have changed', keep at most 4–5 choices."
DEFAULTS = {"max_s": 25, "limit": 25, "forced_announcements": True}


def check(menu, metrics, ctx):
    counted = metrics.is_menu | metrics.is_input
    if ctx["forced_announcements"]:
        counted = counted | ((metrics.forced_s > 0) & ~metrics.ends)   # plays in full, cannot be cut short
    long = (metrics.prompt_s > ctx["max_s"]) & counted & metrics.reachable
    what = {True: "prompt", False: "forced announcement"}
    return [ctx.finding(menu, metrics.graph.ids[i], f"the {what[bool(metrics.is_menu[i] or metrics.is_input[i])]} at "
                        f"{metrics.graph.ids[i]!r} lasts {metrics.prompt_s[i]:.0f} s (limit {ctx['max_s']} s)",
                        {"seconds": float(metrics.prompt_s[i])})
            for i in np.flatnonzero(long)[:ctx["limit"]]]
