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

RECURSION_MAX = 10_000           # agents: above this Erlang B uses the closed Poisson form
MAX_LOAD = 1e12                  # Erlangs: beyond this float arithmetic cannot tell n from n + 1


class BadQueueValue(IvrError, ValueError):
    """A queue parameter that no model can use (NaN, infinite, out of range):
    a clean input error for the CLI, a ValueError for library callers."""


def check_finite(**values: float) -> None:
    for name, value in values.items():
        if value is not None and not math.isfinite(value):
            raise BadQueueValue(f"{name} must be a finite number, not {value}",
                                "give a real number (not .nan or .inf)")


def _check(calls_per_hour: float, aht_s: float, agents: int, target_s: float = 0.0) -> None:
    check_finite(calls_per_hour=calls_per_hour, aht_s=aht_s, agents=agents, target_s=target_s)
    if calls_per_hour < 0 or aht_s <= 0:
        raise BadQueueValue(f"calls per hour ({calls_per_hour}) must be >= 0 and handle time "
                            f"({aht_s} s) > 0", "give a positive average handle time")
    if int(agents) != agents or agents < 1:
        raise BadQueueValue(f"agents must be a whole number >= 1, not {agents}",
                            "give at least one agent")
    if target_s < 0:
        raise BadQueueValue(f"service-level target {target_s} s must be >= 0",
                            "give the seconds within which calls should be answered, e.g. 20")


def _check_size(load: float, agents: int) -> None:
    if load > MAX_LOAD or agents > MAX_LOAD:
        what = f"an offered load of {load:g} Erlangs" if load > MAX_LOAD else f"{agents} agents"
        raise BadQueueValue(f"{what} is beyond what the model can count (at most {MAX_LOAD:g})",
                            "check the units: calls per hour, seconds")


def offered_load(calls_per_hour: float, aht_s: float) -> float:
    """Traffic in Erlangs: the average number of calls in progress."""
    return calls_per_hour * aht_s / 3600.0


def erlang_b(load: float, agents: int) -> float:
    """Blocking probability with `agents` servers and no queue: the stable
    recursion up to RECURSION_MAX agents, beyond it the Poisson form
    pmf(n) / cdf(n) in log space (O(1) however many agents)."""
    n = int(agents)
    if n <= RECURSION_MAX:
        b = 1.0
        for k in range(1, n + 1):
            b = load * b / (k + load * b)
        return b
    if load <= 0:
        return 0.0
    from scipy.special import gammaln, pdtr  # scipy only for call-centre sizes

    return float(math.exp(n * math.log(load) - load - gammaln(n + 1)) / pdtr(n, load))


def erlang_c(calls_per_hour: float, aht_s: float, agents: int, target_s: float = 20.0) -> dict:
    """Waiting probability, service level within `target_s`, average speed of
    answer and occupancy. An overloaded queue (load >= agents) waits forever:
    p_wait 1, service level 0, ASA infinite."""
    _check(calls_per_hour, aht_s, agents, target_s)
    load = offered_load(calls_per_hour, aht_s)
    n = int(agents)
    if load >= n:
        return {"load_erlangs": load, "p_wait": 1.0, "service_level": 0.0,
                "asa_s": math.inf, "occupancy": 1.0, "stable": False}
    _check_size(load, n)   # an overloaded queue is overloaded at any size
    b = erlang_b(load, n)
    p_wait = n * b / (n - load * (1.0 - b))
    service_level = 1.0 - p_wait * math.exp(-(n - load) * target_s / aht_s)
    asa_s = p_wait * aht_s / (n - load)
    return {"load_erlangs": load, "p_wait": p_wait, "service_level": service_level,
            "asa_s": asa_s, "occupancy": load / n, "stable": True}


def agents_needed(calls_per_hour: float, aht_s: float, target_s: float = 20.0,
                  service_level: float = 0.8, max_occupancy: float = 1.0) -> int:
    """The fewest agents that answer `service_level` of calls within `target_s`
    (and keep occupancy at or below `max_occupancy`). Both grow with the
    agents, so the answer is found by doubling the agents above the load,
    then bisecting: a few dozen Erlang C evaluations at any load."""
    check_finite(service_level=service_level, max_occupancy=max_occupancy)
    if not 0 < service_level < 1:
        raise BadQueueValue(f"service level target {service_level} must be between 0 and 1",
                            "give e.g. 0.8 for 80 %")
    if not 0 < max_occupancy <= 1:
        raise BadQueueValue(f"maximum occupancy {max_occupancy} must be in (0, 1]", "give e.g. 0.85")
    _check(calls_per_hour, aht_s, 1, target_s)
    _check_size(offered_load(calls_per_hour, aht_s), 1)

    def enough(n: int) -> bool:
        r = erlang_c(calls_per_hour, aht_s, n, target_s)
        return r["service_level"] >= service_level and r["occupancy"] <= max_occupancy

    low = max(1, math.floor(offered_load(calls_per_hour, aht_s)) + 1)   # fewer is overloaded
    if enough(low):
        return low
    step = 1
    while not enough(low + step):   # low fails; find a high that is enough
        low, step = low + step, step * 2
    high = low + step
    while high - low > 1:           # low fails, high is enough
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return high


def erlang_a(calls_per_hour: float, aht_s: float, agents: int, patience_s: float) -> dict:
    """Erlang A (M/M/n+M): callers hang up after an exponential patience with
    mean `patience_s`. Exact steady state of the birth-death chain, truncated
    where the tail is negligible. Returns p_wait, p_abandon, mean_wait_s (over
    all callers) and occupancy; service level needs the simulator."""
    _check(calls_per_hour, aht_s, agents)
    check_finite(patience_s=patience_s)
    if patience_s <= 0:
        raise BadQueueValue(f"patience {patience_s} s must be > 0", "give a mean patience in seconds")
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
