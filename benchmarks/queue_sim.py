"""Benchmark: one agent queue with impatient callers (M/M/n+M), simulated
by ivr's compiled kernel and by the same model written in SimPy, on the
same random numbers, at 10^4 … 10^6 calls; plus agreement with Erlang C
(infinite patience) and Erlang A (finite patience).

Run:  .venv/bin/python benchmarks/queue_sim.py            (SimPy up to 10^6: ~1-2 min)
      .venv/bin/python benchmarks/queue_sim.py --simpy-max 100000   (quicker)
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import simpy

from ivr.queueing import erlang_a, erlang_c
from ivr.queueing import kernels as K
from ivr.queueing.simulate import queue_summary

RATE, AHT, AGENTS, PATIENCE, TARGET = 200.0, 180.0, 14, 120.0, 20.0


def draws(n: int, seed: int, patience: float | None):
    rng = np.random.default_rng(seed)
    entry = np.cumsum(rng.exponential(3600.0 / RATE, n))
    service = rng.exponential(AHT, n)
    pat = np.full(n, np.inf) if patience is None else rng.exponential(patience, n)
    return entry, service, pat


def run_ivr(entry, service, patience):
    """ivr's kernel, as simulate_queue calls it (no call-backs)."""
    return K.fcfs_queue(entry, service, patience, AGENTS, np.inf, np.ones(len(entry)), 0.0)


def run_simpy(entry, service, patience):
    """The same model in SimPy: FIFO agents, a caller leaves at its patience."""
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=AGENTS)
    n = len(entry)
    wait = np.empty(n)
    status = np.empty(n, np.int8)

    def caller(i):
        with agents.request() as req:
            got = yield req | env.timeout(patience[i])
            wait[i] = env.now - entry[i]
            if req in got:
                status[i] = K.ANSWERED
                yield env.timeout(service[i])
            else:
                status[i] = K.ABANDONED

    def arrivals():
        for i in range(n):
            yield env.timeout(entry[i] - env.now)
            env.process(caller(i))

    env.process(arrivals())
    env.run()
    busy = float(service[status == K.ANSWERED].sum())
    return wait, status, busy


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--simpy-max", type=int, default=1_000_000,
                        help="largest size also run in SimPy")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    e, s, p = draws(1000, 0, PATIENCE)
    _, compile_s = timed(run_ivr, e, s, p)   # first call compiles (or loads the cache)
    print(f"M/M/{AGENTS}+M: {RATE:g} calls/h, AHT {AHT:g} s, mean patience {PATIENCE:g} s; "
          f"kernel compile/load {compile_s:.2f} s (not counted)")
    print("ivr calls/s: the compiled kernel; '+draws' also counts drawing the random numbers "
          "(SimPy is given the same draws)")
    print(f"{'calls':>9} {'ivr calls/s':>13} {'+draws':>12} {'SimPy calls/s':>14} {'speed-up':>9} "
          f"{'same waits':>11} {'abandon ivr':>12} {'abandon SimPy':>14}")
    for n in (int(x) for x in args.sizes.split(",")):
        (entry, service, patience), t0 = timed(draws, n, args.seed, PATIENCE)
        (w1, st1, b1), t1 = timed(run_ivr, entry, service, patience)
        row = f"{n:>9} {n / t1:>13,.0f} {n / (t0 + t1):>12,.0f}"
        if n <= args.simpy_max:
            (w2, st2, b2), t2 = timed(run_simpy, entry, service, patience)
            same = bool(np.array_equal(st1, st2) and np.allclose(w1, w2, atol=1e-6))
            row += (f" {n / t2:>14,.0f} {t2 / t1:>8,.0f}x {str(same):>11} "
                    f"{(st1 == K.ABANDONED).mean():>12.4f} {(st2 == K.ABANDONED).mean():>14.4f}")
        else:
            row += f" {'(skipped)':>14}"
        print(row)

    n = max(int(x) for x in args.sizes.split(","))
    seeds = range(args.seed, args.seed + 8)
    print(f"\nagreement: mean of {len(seeds)} seeded runs of {n} calls (± standard error)")
    for label, pat, model in (("infinite patience", None, erlang_c(RATE, AHT, AGENTS, TARGET)),
                              (f"patience {PATIENCE:g} s", PATIENCE,
                               erlang_a(RATE, AHT, AGENTS, PATIENCE))):
        runs = []
        for seed in seeds:
            entry, service, patience = draws(n, seed, pat)
            w, st, busy = run_ivr(entry, service, patience)
            runs.append(queue_summary(entry, w, st, busy, AGENTS, TARGET))
        keys = ("p_wait", "service_level", "asa_s", "occupancy") if pat is None else ("abandon_rate",)
        for key in keys:
            values = np.array([r[key] for r in runs])
            ref = model[key] if pat is None else model["p_abandon"]
            name = "Erlang C" if pat is None else "Erlang A"
            print(f"  {label:<18} {key:<14} sim {values.mean():.5f} ± {values.std(ddof=1) / len(values) ** 0.5:.5f}"
                  f"  {name} {ref:.5f}  diff {values.mean() / ref - 1:+.2%}")

if __name__ == "__main__":
    main()
