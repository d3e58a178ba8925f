"""Erlang C (and B) for an agent queue: how long callers wait for a person.

Erlang C assumes Poisson arrivals, exponential handle times and callers who
never hang up. It is computed through the Erlang B recursion
``B(n) = A·B(n-1) / (n + A·B(n-1))``, which stays in [0, 1] and never forms the
huge factorials of the textbook formula, so it is stable for thousands of
agents. Callers who do hang up (finite patience) are Erlang A behaviour: see
``erlang_a`` here and ivr.queueing.simulate.
"""
from __future__ import annotations

import math

from ..errors import IvrError


def _check(calls_per_hour: float, aht_s: float, agents: int) -> None:
    if calls_per_hour < 0 or aht_s <= 0:
        raise IvrError(f"calls per hour ({calls_per_hour}) must be >= 0 and handle time "
                       f"({aht_s} s) > 0", "give a positive average handle time")
    if int(agents) != agents or agents < 1:
        raise IvrError(f"agents must be a whole number >= 1, not {agents}",
                       "give at least one agent")


def offered_load(calls_per_hour: float, aht_s: float) -> float:
    """Traffic in Erlangs: the average number of calls in progress."""
    return calls_per_hour * aht_s / 3600.0


def erlang_b(load: float, agents: int) -> float:
    """Blocking probability with `agents` servers and no queue."""
    b = 1.0
    for n in range(1, int(agents) + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(calls_per_hour: float, aht_s: float, agents: int, target_s: float = 20.0) -> dict:
    """Waiting probability, service level within `target_s`, average speed of
    answer and occupancy. An overloaded queue (load >= agents) waits forever:
    p_wait 1, service level 0, ASA infinite."""
    _check(calls_per_hour, aht_s, agents)
    load = offered_load(calls_per_hour, aht_s)
    n = int(agents)
    if load >= n:
        return {"load_erlangs": load, "p_wait": 1.0, "service_level": 0.0,
                "asa_s": math.inf, "occupancy": 1.0, "stable": False}
    b = erlang_b(load, n)
    p_wait = n * b / (n - load * (1.0 - b))
    service_level = 1.0 - p_wait * math.exp(-(n - load) * target_s / aht_s)
    asa_s = p_wait * aht_s / (n - load)
    return {"load_erlangs": load, "p_wait": p_wait, "service_level": service_level,
            "asa_s": asa_s, "occupancy": load / n, "stable": True}


def agents_needed(calls_per_hour: float, aht_s: float, target_s: float = 20.0,
                  service_level: float = 0.8, max_occupancy: float = 1.0) -> int:
    """The fewest agents that answer `service_level` of calls within `target_s`
    (and keep occupancy at or below `max_occupancy`)."""
    if not 0 < service_level < 1:
        raise IvrError(f"service level target {service_level} must be between 0 and 1",
                       "give e.g. 0.8 for 80 %")
    load = offered_load(calls_per_hour, aht_s)
    n = max(1, math.floor(load) + 1)
    while True:
        r = erlang_c(calls_per_hour, aht_s, n, target_s)
        if r["service_level"] >= service_level and r["occupancy"] <= max_occupancy:
            return n
        n += 1


def erlang_a(calls_per_hour: float, aht_s: float, agents: int, patience_s: float) -> dict:
    """Erlang A (M/M/n+M): callers hang up after an exponential patience with
    mean `patience_s`. Exact steady state of the birth-death chain, truncated
    where the tail is negligible. Returns p_wait, p_abandon, mean_wait_s (over
    all callers) and occupancy; service level needs the simulator."""
    _check(calls_per_hour, aht_s, agents)
    if patience_s <= 0:
        raise IvrError(f"patience {patience_s} s must be > 0", "give a mean patience in seconds")
    lam, mu, theta, n = calls_per_hour / 3600.0, 1.0 / aht_s, 1.0 / patience_s, int(agents)
    # unnormalised state probabilities p_k, k callers in system, in log space
    logs = [0.0]
    k = 0
    while True:
        k += 1
        rate_out = min(k, n) * mu + max(0, k - n) * theta
        logs.append(logs[-1] + math.log(lam / rate_out) if lam > 0 else -math.inf)
        if k > n and (logs[-1] < logs[0] - 50 and logs[-1] < max(logs) - 50):
            break
    top = max(logs)
    p = [math.exp(x - top) for x in logs]
    total = sum(p)
    p = [x / total for x in p]
    p_wait = sum(p[n:])
    # abandonment rate = theta * E[queue length]; per arrival divide by lam
    mean_queue = sum((k - n) * p[k] for k in range(n, len(p)))
    p_abandon = theta * mean_queue / lam if lam > 0 else 0.0
    busy = sum(min(k, n) * p[k] for k in range(len(p)))
    # Little's law: mean time in queue over all callers (answered or not)
    return {"p_wait": p_wait, "p_abandon": p_abandon,
            "mean_wait_s": mean_queue / lam if lam > 0 else 0.0, "occupancy": busy / n}
