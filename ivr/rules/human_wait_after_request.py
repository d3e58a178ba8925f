"""human-wait-after-request: what a caller waits after asking for a person — forced seconds, then the queue.

From every place a caller asks for a person (a key or words that lead to a
person with no further action: the global human command, a main-menu option,
an option through a "please hold" notice) the rule adds the seconds the
caller cannot skip after asking (transfer announcements, legal notices, the
human node's transfer prompt) to the queue (Erlang C). It checks the share
of callers who reach a person within `max_s` of asking: at least `min_level`.
A queue without `calls_per_hour` is checked on the forced seconds alone; a
queue with `agents: 0` answers nobody. (queue-wait and queue-service-level
look at the queue alone.)

Passing example:

    id: ok
    title: A short notice, then enough agents
    start: main
    commands:
      human: {key: "0", say: [agent], to: hold}
    nodes:
      main:
        kind: menu
        prompt: For a person press 0 or say agent.
        options:
          - {key: "0", to: hold}
      hold: {kind: announcement, prompt: Please hold., barge_in: false, next: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: main, agents: 12, aht_s: 240, calls_per_hour: 120}

Failing example:

    id: long-notice
    title: A minute of notices after asking, then a busy queue
    start: main
    commands:
      human: {key: "0", say: [agent], to: notice}
    nodes:
      main:
        kind: menu
        prompt: For a person press 0 or say agent.
        options:
          - {key: "0", to: notice}
      notice: {kind: announcement, prompt: Calls are recorded. Please read our privacy notice online., duration_s: 60, barge_in: false, next: agent}
      agent:
        kind: human
        prompt: Connecting you.
        queue: {name: main, agents: 10, aht_s: 240, calls_per_hour: 130}
"""
import math

import numpy as np

from ..metrics import KEY, VOICE, modelled, queue_figures
from ._common import evidence

ID = "human-wait-after-request"
SEVERITY = "error"
RATIONALE = ("What a caller lives through is the time from asking for a person to hearing one: "
             "notices forced on them after the request count as much as the queue.")
CITATION = {"law": "Ley 10/2025 de servicios de atención a la clientela (Spain)", "article": "art. 8: 95 % of "
            "calls answered, on average, within three minutes (measured here from the request for a person)",
            "date": "2025-12-26 (BOE 2025-12-27; in force 2025-12-28; adaptation until 2026-12-28)",
            "status": "in force"}
FIX = ("Cut what plays after the caller asks (move notices before the choice, let callers barge in), and add "
       "agents (`ivr queue agents --calls-per-hour R --aht S --target T --service-level 0.95`).")
DEFAULTS = {"max_s": 180, "min_level": 0.95, "limit": 10}
BOUNDS = {"min_level": (0, 1)}


def _entries(metrics) -> tuple:
    """Nodes a key or words lead to from which a person follows with no further
    action, and the asking edges (src, dst) to find where a caller asked from."""
    g, n = metrics.graph, metrics.graph.n
    at_person = np.zeros(n + 2, dtype=bool)   # few nodes: filter the edges on it first
    at_person[:n] = (metrics.steps == 0) & np.isfinite(metrics.listening_s)
    edges = np.flatnonzero(at_person[g.dst])
    edges = edges[((g.kind[edges] == KEY) | (g.kind[edges] == VOICE)) & metrics.reachable[g.src[edges]]]
    src, dst = g.src[edges], g.dst[edges]
    mark = np.zeros(n, dtype=bool)
    mark[dst] = True   # distinct entries without sorting a million edges
    return np.flatnonzero(mark), src, dst


def check(menu, metrics, ctx):
    found = []
    humans = set(metrics.humans.tolist())
    entries, src, dst = _entries(metrics)
    for entry in entries.tolist():
        path = metrics.path_to_human(metrics.graph.ids[entry])
        human = next((nid for nid in path if metrics.node(nid) in humans), None)
        if human is None:
            continue
        forced = float(metrics.listening_s[entry])
        q = menu.nodes[human].queue
        if q is not None and q.priority:
            continue   # a dedicated line (emergencies, 65+): not where callers ask
        left = ctx["max_s"] - forced
        if modelled(q):
            level = 0.0 if left < 0 else float(queue_figures(q, left)["service_level"])
        else:
            level = 0.0 if left < 0 else 1.0   # nothing known about the queue: the forced part alone
        if level >= ctx["min_level"]:
            continue
        asked_at = int(src[np.argmax(dst == entry)])   # only for the findings: few
        said = (f"after asking for a person at {metrics.graph.ids[asked_at]!r} the caller must hear {forced:.0f} s "
                f"({' → '.join(path)})")
        if left < 0:
            said += f": more than the {ctx['max_s']} s limit before any queue"
        elif q is not None and q.agents == 0:
            said += f", then nobody answers at {human!r} (agents: 0)"
        else:
            said += (f", so only {level:.1%} reach a person at {human!r} within {ctx['max_s']} s of asking "
                     f"(needed {ctx['min_level']:.0%})")
        found.append(ctx.finding(menu, metrics.graph.ids[entry], said,
                                 evidence(metrics, metrics.graph.ids[entry], asked_at=metrics.graph.ids[asked_at],
                                          forced_after_request_s=round(forced, 2),
                                          service_level=None if math.isnan(level) else round(level, 4))))
        if len(found) >= ctx["limit"]:
            break
    return found
