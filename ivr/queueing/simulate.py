"""Simulated callers walking a menu into its human queues, in virtual time.

Callers arrive as a Poisson stream, walk the menu choosing options by their
`weight`, hear each prompt for `ivr.timing.prompt_seconds`, sometimes stay
silent, press a wrong key or zero out, and hang up when the menu takes longer
than their patience. Those who reach a human node join that node's queue
(agents, handle time, patience, call-back from `Queue`), served first come
first served. Same seed, same result: all randomness comes from the seed.

`simulate_queue` is the queue alone (Erlang C / Erlang A checks, benchmark).
Behaviour knobs (rates of silence, wrong keys, patience) are read from the
`simulation:` section of config.yaml; SIM_DEFAULTS lists them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from ..errors import IvrError
from ..model import NODE_KINDS, Menu, Queue, Where
from ..timing import prompt_seconds
from . import kernels as K
from .erlang import agents_needed, check_finite, erlang_a, erlang_c
from .hours import is_open, open_seconds, parse_hours

SIM_DEFAULTS = {
    "menu_patience_s": 180.0,    # mean time a caller will spend in the menu (exponential)
    "p_zero_out": 0.02,          # at a menu node: uses the global "human" command
    "p_no_input": 0.05,          # ...stays silent until the timeout
    "p_no_match": 0.03,          # ...presses/says something not on offer
    "reaction_s": 1.5,           # think-and-press time after a prompt
    "digit_s": 0.6,              # per digit at an input node
    "done_after_answer": 0.7,    # after a self-service answer or a work order: hangs up content
    "callback_after_s": 60.0,    # a queue with callback offers it above this expected wait
    "callback_accept": 0.5,      # ...and this share of callers takes it
    "target_s": 20.0,            # service-level target
    "priority_share": 0.0,       # share of callers on the first priority route (skip the menu)
    "max_steps": 200,            # a walk longer than this is a loop
    "kb_answered": 0.9,          # knowledge-base node: share of questions answered (held-out accuracy)
    "kb_question_s": 4.0,        # ...time to ask the question
    "kb_answer_s": 20.0,         # ...time to hear the answer
}
CLOSED = 3                       # queue status: arrived outside business hours
CHUNK = 50_000                   # callers per compiled walk call (progress granularity)
PERCENTILES = (50, 80, 90, 95, 99)


@dataclass
class CompiledMenu:
    """The menu as the arrays kernels.walk_menu reads."""
    ids: list[str]
    arrays: dict
    queues: list[Queue]          # per node index: its Queue (human nodes) or None


def _target(ids: dict, target: Optional[str], special: dict) -> int:
    """A target as a node index or a kernel code; `special` holds @start and @human,
    resolved once per menu (finding the human node scans the menu)."""
    if not target or target == "@hangup":
        return K.T_HANGUP
    if target == "@back":
        return K.T_BACK
    if target == "@repeat":
        return K.T_REPEAT
    resolved = special.get(target, target)
    return ids.get(resolved, K.T_DEAD) if resolved else K.T_DEAD


def compile_menu(menu: Menu, config: dict) -> CompiledMenu:
    """Node ids to indices, prompts to seconds, options to cumulative weights."""
    sim = {**SIM_DEFAULTS, **config.get("simulation", {})}
    order = list(menu.nodes)
    ids = {nid: i for i, nid in enumerate(order)}
    n = len(order)
    kinds = {name: code for code, name in enumerate(NODE_KINDS)}
    special = {"@start": menu.start, "@human": menu.resolve("@human")}
    a = {name: np.zeros(n, dtype) for name, dtype in (
        ("kind", np.int8), ("prompt_s", np.float64), ("timeout_s", np.float64),
        ("next_t", np.int32), ("opt_lo", np.int32), ("opt_hi", np.int32),
        ("ni_retries", np.int32), ("ni_then", np.int32), ("nm_retries", np.int32),
        ("nm_then", np.int32), ("human_cmd", np.int32))}
    opt_target, opt_cumw = [], []
    for i, nid in enumerate(order):
        node = menu.nodes[nid]
        a["kind"][i] = kinds.get(node.kind, K.UNKNOWN)
        if node.kind == "self_service" and node.knowledge_base:
            a["kind"][i] = K.ASK_KB
        a["prompt_s"][i] = 0.0 if node.kind == "goto" else prompt_seconds(node, menu.language, config)
        if node.kind == "input":  # keying in the digits, on average
            a["prompt_s"][i] += sum(node.input_digits) / 2 * float(sim["digit_s"])
        if a["kind"][i] == K.ASK_KB:
            a["prompt_s"][i] += float(sim["kb_question_s"])
        a["timeout_s"][i] = node.timeout_s
        a["next_t"][i] = _target(ids, node.next, special)
        a["opt_lo"][i] = len(opt_target)
        total = 0.0
        for opt in node.options:
            if opt.weight < 0:
                raise IvrError(f"option {opt.key or opt.label} of node {nid} has a negative weight",
                               "give weights >= 0", where=opt.where)
            total += opt.weight
            opt_target.append(_target(ids, opt.target, special))
            opt_cumw.append(total)
        a["opt_hi"][i] = len(opt_target)
        a["ni_retries"][i], a["ni_then"][i] = node.no_input.retries, _target(ids, node.no_input.then, special)
        a["nm_retries"][i], a["nm_then"][i] = node.no_match.retries, _target(ids, node.no_match.then, special)
        a["human_cmd"][i] = _target(ids, "@human", special) if menu.command("human", node) else -1
        if a["human_cmd"][i] < 0:
            a["human_cmd"][i] = -1
    a["opt_target"] = np.array(opt_target or [0], np.int32)
    a["opt_cumw"] = np.array(opt_cumw or [0.0], np.float64)
    if menu.start not in ids:
        raise IvrError(f"start node {menu.start!r} is not a node of menu {menu.id}",
                       "fix `start:` in the menu file", where=menu.where)
    a["start"] = ids[menu.start]
    routes = [r for r in menu.priority_routes if r.get("to")]
    a["priority_to"] = _target(ids, routes[0]["to"], special) if routes else -1
    a["priority_share"] = float(sim["priority_share"]) if routes else 0.0
    queues = [(menu.nodes[nid].queue or Queue(name=nid)) if menu.nodes[nid].kind == "human" else None
              for nid in order]
    for nid, q in zip(order, queues):
        _check_queue(nid, q, menu.nodes[nid].where)
    return CompiledMenu(order, a, queues)


def _check_queue(nid: str, q: Optional[Queue], where: Where) -> None:
    """A queue the models can use: .inf or .nan in a menu passes the schema."""
    for name in ("agents", "aht_s", "calls_per_hour", "patience_s"):
        value = getattr(q, name, None)
        if isinstance(value, (int, float)) and not math.isfinite(value):
            raise IvrError(f"queue of node {nid}: {name} is {value}", f"give {name} a finite number",
                           where, "bad-value")


def _walk(cm: CompiledMenu, sim: dict, calls: int, seed: int,
          tick: Optional[Callable[[int], None]] = None):
    a = cm.arrays
    parts = []
    for chunk, lo in enumerate(range(0, calls, CHUNK)):
        size = min(CHUNK, calls - lo)
        parts.append(K.walk_menu(
            (seed * 1_000_003 + chunk) % (2 ** 31), size, a["start"], a["kind"], a["prompt_s"],
            a["timeout_s"], a["next_t"], a["opt_lo"], a["opt_hi"], a["opt_target"], a["opt_cumw"],
            a["ni_retries"], a["ni_then"], a["nm_retries"], a["nm_then"], a["human_cmd"],
            a["priority_to"], a["priority_share"], float(sim["menu_patience_s"]),
            float(sim["p_zero_out"]), float(sim["p_no_input"]), float(sim["p_no_match"]),
            float(sim["reaction_s"]), 0.0, float(sim["done_after_answer"]), int(sim["max_steps"]),
            float(sim["kb_answered"]), float(sim["kb_answer_s"])))
        if tick:
            tick(size)
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))


def simulate_queue(calls: int, calls_per_hour: float, aht_s: float, agents: int,
                   patience_s: Optional[float] = None, seed: int = 0, target_s: float = 20.0,
                   callback_after_s: float = math.inf, callback_accept: float = 0.0,
                   entry: Optional[np.ndarray] = None) -> dict:
    """One M/M/n(+M) queue: Poisson arrivals (or the given sorted `entry`
    times), exponential handle times and patience. Returns the per-caller
    arrays and a summary."""
    check_finite(calls_per_hour=calls_per_hour, aht_s=aht_s, patience_s=patience_s, target_s=target_s)
    if calls < 1 or agents < 1 or aht_s <= 0 or calls_per_hour <= 0:
        raise IvrError("a queue simulation needs calls >= 1, agents >= 1, handle time > 0 and "
                       "calls per hour > 0", "check the queue parameters")
    rng = np.random.default_rng(seed)
    if entry is None:
        entry = np.cumsum(rng.exponential(3600.0 / calls_per_hour, calls))
    service = rng.exponential(aht_s, calls)
    patience = (np.full(calls, np.inf) if patience_s is None
                else rng.exponential(patience_s, calls))
    callback_u = rng.random(calls)
    wait, status, busy = K.fcfs_queue(entry, service, patience, int(agents),
                                      float(callback_after_s), callback_u, float(callback_accept))
    return {"entry": entry, "wait": wait, "status": status,
            "summary": queue_summary(entry, wait, status, busy, agents, target_s)}


def queue_summary(entry, wait, status, busy, agents, target_s) -> dict:
    n = len(entry)
    answered = status == K.ANSWERED
    on_line = status != K.CALLBACK
    horizon = float(entry[-1] - entry[0]) if n > 1 else 0.0
    return {
        "arrivals": n,
        "answered": int(answered.sum()),
        "abandoned": int((status == K.ABANDONED).sum()),
        "callbacks": int((status == K.CALLBACK).sum()),
        "abandon_rate": float((status == K.ABANDONED).sum() / n) if n else 0.0,
        "p_wait": float((wait[answered] > 0).sum() / max(1, answered.sum())) if n else 0.0,
        "service_level": float((answered & (wait <= target_s)).sum() / max(1, on_line.sum())),
        "asa_s": float(wait[answered].mean()) if answered.any() else 0.0,
        "occupancy": float(busy / (agents * horizon)) if horizon > 0 else 0.0,
        "calls_per_hour": float((n - 1) * 3600.0 / horizon) if horizon > 0 else 0.0,
    }


def _percentiles(values: np.ndarray) -> dict:
    if len(values) == 0:
        return {f"p{p}": None for p in PERCENTILES} | {"mean": None}
    qs = np.percentile(values, PERCENTILES)
    return {f"p{p}": round(float(q), 2) for p, q in zip(PERCENTILES, qs)} | {
        "mean": round(float(values.mean()), 2)}


def simulate_menu(menu: Menu, config: dict, calls: int, seed: int = 0,
                  calls_per_hour: Optional[float] = None,
                  tick: Optional[Callable[[int], None]] = None) -> dict:
    """Simulate `calls` callers on `menu`. The arrival rate defaults to the
    highest at which no queue receives more than its own `calls_per_hour`
    (the menu's weights decide how callers split between queues). Returns a JSON-ready summary; the per-caller
    arrays are under the private key `_calls`."""
    if calls < 1:
        raise IvrError(f"--calls must be >= 1, not {calls}", "give a number of callers to simulate")
    if calls_per_hour is not None and not (math.isfinite(calls_per_hour) and calls_per_hour > 0):
        raise IvrError(f"--calls-per-hour must be a finite number > 0, not {calls_per_hour}",
                       "give the callers per hour, e.g. 200")
    sim = {**SIM_DEFAULTS, **config.get("simulation", {})}
    cm = compile_menu(menu, config)
    outcome, end_node, menu_time = _walk(cm, sim, calls, seed, tick)
    to_human = outcome == K.O_HUMAN
    if calls_per_hour is None:
        # the highest rate at which no queue gets more than its own calls_per_hour
        rates = [q.calls_per_hour * calls / n for idx, q in enumerate(cm.queues)
                 if q and q.calls_per_hour > 0
                 and (n := int((to_human & (end_node == idx)).sum())) > 0]
        if not rates:
            raise IvrError(f"menu {menu.id} gives no arrival rate (no queue that callers reach "
                           "has calls_per_hour)", "pass --calls-per-hour")
        calls_per_hour = min(rates)
    rng = np.random.default_rng([seed, 1])
    arrival = np.cumsum(rng.exponential(3600.0 / calls_per_hour, calls))
    wait = np.full(calls, np.nan)
    status = np.full(calls, -1, np.int8)
    queues = {}
    for idx, q in enumerate(cm.queues):
        if q is None:  # only human nodes have a queue: scan the calls for those alone
            continue
        mine = np.flatnonzero(to_human & (end_node == idx))
        if len(mine) == 0:
            continue
        entry = arrival[mine] + menu_time[mine]
        # outside business hours the queue is closed: those callers cannot reach a person;
        # a queue with no agents (agents: 0) is closed at every hour
        shut = ~is_open(parse_hours(q.hours, menu.nodes[cm.ids[idx]].where), entry) | (q.agents == 0)
        status[mine[shut]] = CLOSED
        mine, entry = mine[~shut], entry[~shut]
        closed_count = int(shut.sum())
        if len(mine) == 0:
            queues[q.name or cm.ids[idx]] = {"node": cm.ids[idx], "agents": q.agents, "closed": closed_count}
            continue
        order = np.argsort(entry, kind="stable")
        mine, entry = mine[order], entry[order]
        r = simulate_queue(len(mine), max(q.calls_per_hour, 1.0), q.aht_s, q.agents, q.patience_s,
                           seed=seed * 7919 + idx, target_s=sim["target_s"],
                           callback_after_s=sim["callback_after_s"] if q.callback else math.inf,
                           callback_accept=sim["callback_accept"], entry=entry)
        wait[mine], status[mine] = r["wait"], r["status"]
        summary = r["summary"]
        spans = parse_hours(q.hours)
        if spans is not None and len(entry) > 1:
            # closed hours have no arrivals and no agents: rate and occupancy while open,
            # else Erlang C sees a diluted load and predicts far shorter waits than simulated
            open_s = open_seconds(spans, float(entry[0]), float(entry[-1]))
            stretch = float(entry[-1] - entry[0]) / open_s if open_s > 0 else 1.0
            summary["calls_per_hour"] *= stretch
            summary["occupancy"] = min(1.0, summary["occupancy"] * stretch)
        rate = summary["calls_per_hour"]
        if rate > 0:  # staffing advice at the simulated load (Erlang C, 80 % within the target)
            summary["agents_for_80_percent"] = agents_needed(rate, q.aht_s, sim["target_s"], 0.8)
        if rate > 0 and rate * q.aht_s / 3600 < q.agents:
            model = erlang_c(rate, q.aht_s, q.agents, sim["target_s"])
            summary["erlang_c"] = {k: round(model[k], 5) for k in ("p_wait", "service_level", "asa_s")}
            if q.patience_s:
                summary["erlang_a"] = {k: round(v, 5) for k, v in
                                       erlang_a(rate, q.aht_s, q.agents, q.patience_s).items()}
        queues[q.name or cm.ids[idx]] = {"node": cm.ids[idx], "agents": q.agents,
                                         "aht_s": q.aht_s, "patience_s": q.patience_s,
                                         "hours": q.hours, "closed": closed_count, **summary}
    answered = status == K.ANSWERED
    called_back = status == K.CALLBACK
    reached = answered | called_back
    time_to_human = menu_time[reached] + wait[reached]
    abandoned_by_node: dict[str, int] = {}
    for idx in end_node[outcome == K.O_ABANDON]:
        abandoned_by_node[cm.ids[idx]] = abandoned_by_node.get(cm.ids[idx], 0) + 1
    queue_abandoned = int((status == K.ABANDONED).sum())
    on_line = int(((status == K.ANSWERED) | (status == K.ABANDONED)).sum())
    counts = {name: int((outcome == code).sum()) for code, name in enumerate(K.OUTCOMES)}
    counts["queue_closed"] = int((status == CLOSED).sum())
    return {
        "menu": menu.id, "calls": calls, "seed": seed,
        "calls_per_hour": round(calls_per_hour, 3),
        "outcomes": counts,
        "reached_human": int(reached.sum()),
        "callbacks": int(called_back.sum()),
        "time_to_human_s": _percentiles(time_to_human),
        "menu_time_s": _percentiles(menu_time),
        "abandonment": {
            "menu": counts["abandoned_menu"], "queue": queue_abandoned,
            "rate": round((counts["abandoned_menu"] + queue_abandoned) / calls, 5),
            "by_node": dict(sorted(abandoned_by_node.items(), key=lambda kv: -kv[1])),
        },
        "service_level": round(float((answered & (wait <= sim["target_s"])).sum() / on_line), 5)
        if on_line else None,
        "target_s": sim["target_s"],
        "queues": queues,
        "_calls": {"outcome": outcome, "end_node": end_node, "menu_time": menu_time,
                   "arrival": arrival, "wait": wait, "queue_status": status, "node_ids": cm.ids},
    }


def sample_records(result: dict, size: int, seed: int = 0) -> list:
    """A seeded random sample of the simulated calls as call records (the
    walk is summarised: path holds the node where it ended)."""
    from ..records import CallRecord  # records import the orders schema; keep the simulator light

    calls = result["_calls"]
    n = len(calls["outcome"])
    picks = np.sort(np.random.default_rng([seed, 2]).choice(n, size=min(size, n), replace=False))
    status_names = {K.ANSWERED: "human", K.ABANDONED: "abandoned_queue", K.CALLBACK: "callback",
                    CLOSED: "queue_closed"}
    out = []
    for i in picks:
        node = calls["node_ids"][calls["end_node"][i]]
        outcome = K.OUTCOMES[calls["outcome"][i]]
        wait = float(calls["wait"][i]) if not np.isnan(calls["wait"][i]) else 0.0
        if outcome == "human":
            outcome = status_names.get(int(calls["queue_status"][i]), "human")
        menu_s = float(calls["menu_time"][i])
        reached = outcome in ("human", "callback")
        out.append(CallRecord(menu=result["menu"], outcome=outcome, end_node=node,
                              duration_s=round(menu_s + wait, 2),
                              time_to_human_s=round(menu_s + wait, 2) if reached else None,
                              path=[node], node_times={node: round(menu_s, 2)}))
    return out
