"""Fuzz every reader of ivr with mutated real and bundled files (issue 15).

    .venv/bin/python benchmarks/fuzz.py [--minutes N] [--quick] [--workers W] [--seed S] [--format json]

Inputs come from tests/fuzz_harness.py (seeds: ../shared/real_menus, menus/,
the Asterisk test dialplan, config.yaml; mutations: byte edits, hostile
tokens, extreme numbers, deep nesting, growth) and go through the same
readers the CLI uses (format sniffing, the five importers, the YAML menu
loader, dispatch rules, knowledge bases, config).

Speed with real guarantees: the parent imports everything once (a warm-up
read of one seed per reader), then forks W persistent workers (default: one
per core) that each run many inputs in-process. Per input: a 10 s watchdog
kept by the parent (a worker past it is killed, replaced by a fresh fork and
the input counted as a timeout), a memory cap per worker (RLIMIT_AS = its
size at the fork + 500 MB: an allocation beyond it is a MemoryError, counted,
and the worker replaced), and any exception other than ivr's clean IvrError
naming file:line:col counted as a traceback. A worker that dies is counted
and replaced too. Prints, per reader: inputs tried, clean results (menu /
refused with file:line:col / refused by import), tracebacks, property
failures, timeouts, memory-cap hits; inputs per second; the first failing
input of each kind is saved under --save (default: a temp folder) to replay.
Menus that load also go through import -> YAML -> validate, both exports ->
re-import and a short call (the `deep` check) on every --deep-every'th input.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
import traceback
from collections import Counter, defaultdict
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_harness as fz  # noqa: E402

WATCHDOG_S = 10.0
MEMORY_MB = 500
BAD = ("traceback", "property", "timeout", "memory", "died")


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_mb() -> float:
    """This process's peak resident size; a forked child starts from its size at the fork."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _serve(conn, folder: str, check: Callable, memory_mb: float) -> None:
    """Worker: run the jobs sent over `conn` until None; answer (outcome, detail, peak RSS MB).
    Exits after a MemoryError (its state may be damaged); the parent forks a new one."""
    cap = _vm_bytes() + int(memory_mb * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    conn.send(("ready", "", _peak_rss_mb()))
    while True:
        job = conn.recv()
        if job is None:
            return
        reader, name, data, deep = job
        path = Path(folder) / name       # a folder of its own: only this input beside it
        path.write_bytes(data)
        try:
            outcome, detail = check(reader, str(path), deep), ""
        except MemoryError:
            outcome, detail = "memory", "MemoryError"
        except fz.PropertyFailure as err:
            outcome, detail = "property", str(err)
        except AssertionError as err:
            outcome, detail = "traceback", f"AssertionError: {err}"
        except BaseException:  # noqa: BLE001  (the harness is looking for exactly these)
            outcome, detail = "traceback", traceback.format_exc(limit=-6)
        finally:
            path.unlink(missing_ok=True)
        conn.send((outcome, detail, _peak_rss_mb()))
        if outcome == "memory":
            return


class Worker:
    """One forked worker process, its pipe, and the job it is running."""

    def __init__(self, folder: str, check: Callable, memory_mb: float):
        self.folder, self.check, self.memory_mb = folder, check, memory_mb
        self.proc = self.conn = self.job = None
        self.started = self.rss0 = 0.0
        os.makedirs(folder, exist_ok=True)

    def start(self) -> None:
        for left in os.listdir(self.folder):     # the input a killed worker was reading
            os.unlink(os.path.join(self.folder, left))
        ctx = mp.get_context("fork")        # a copy of the warmed-up parent: no re-importing
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, self.folder, self.check, self.memory_mb),
                                daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(60):
            raise SystemExit("fuzz worker did not start")
        self.rss0 = self.conn.recv()[2]

    def give_next(self, jobs: Iterator) -> None:
        job = next(jobs, None)
        if job is None:
            return
        if self.proc is None:
            self.start()
        self.job, self.started = job, time.perf_counter()
        self.conn.send(job[:4])            # anything after (reader, name, bytes, deep) stays here

    def stop(self) -> None:
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(5)
            self.conn.close()
        self.proc = self.conn = None


def run_pool(jobs: Iterator, seconds: float, workers: int, check: Callable = fz.check,
             on_result: Callable = lambda job, outcome, detail, took, rss: None,
             watchdog_s: float = WATCHDOG_S, memory_mb: float = MEMORY_MB, folder: str | None = None) -> int:
    """Feed `jobs` ((reader, file name, bytes, deep, ...) tuples) to `workers` forked
    workers for `seconds`; call on_result(job, outcome, detail, seconds, MB the
    worker's peak RSS grew since its fork) for each. A worker over `watchdog_s`
    is killed ('timeout'), one that dies is counted ('died'); both are replaced,
    as is one that hit the memory cap. Returns the number of inputs run."""
    if folder is None and os.access("/dev/shm", os.W_OK):
        folder = "/dev/shm"                  # inputs are written once each: keep them off the disk
    with tempfile.TemporaryDirectory(prefix="ivr-fuzz-", dir=folder) as work:
        pool = [Worker(os.path.join(work, f"w{i}"), check, memory_mb) for i in range(workers)]
        end, done = time.monotonic() + seconds, 0
        try:
            for w in pool:
                w.give_next(jobs)
            while busy := [w for w in pool if w.job is not None]:
                soonest = min(w.started for w in busy) + watchdog_s
                ready = wait([w.conn for w in busy], max(0.0, soonest - time.perf_counter()))
                for w in busy:
                    took = time.perf_counter() - w.started
                    if w.conn in ready:
                        try:
                            outcome, detail, rss = w.conn.recv()
                            rss -= w.rss0          # growth over the worker's size at the fork
                        except EOFError:
                            code = w.proc.exitcode
                            w.stop()
                            outcome, detail, rss = "died", f"worker exit code {code} (a signal?)", 0.0
                    elif took >= watchdog_s:
                        w.stop()
                        outcome, detail, rss = "timeout", f"over {watchdog_s:g} s", 0.0
                    else:
                        continue
                    if outcome == "memory":
                        w.stop()
                    job, w.job = w.job, None
                    done += 1
                    on_result(job, outcome, detail, took, rss)
                    if time.monotonic() < end:
                        w.give_next(jobs)
        finally:
            for w in pool:
                w.stop()
    return done


def _warm_up() -> None:
    """Read one seed with every reader in the parent, so every import a reader
    makes happens once, before the fork, outside the watchdog (importing the
    knowledge base's matcher alone took 10 s on a loaded machine)."""
    with tempfile.TemporaryDirectory(prefix="ivr-fuzz-warm-") as warm:
        for reader in fz.READERS:
            seed = fz.SEEDS[reader][0]
            path = Path(warm) / f"warm{seed.suffix}"
            path.write_bytes(seed.read_bytes())
            try:
                fz.check(reader, str(path))
            except BaseException:  # noqa: BLE001  (counted when the real inputs run)
                pass


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=1.0, help="how long to fuzz (default 1, at most 24 h)")
    ap.add_argument("--quick", action="store_true", help="a 20-second run")
    ap.add_argument("--workers", type=int, default=len(os.sched_getaffinity(0)),
                    help="worker processes (default: one per core)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deep-every", type=int, default=4,
                    help="run the full property check (import/validate/export/call) on every Nth input")
    ap.add_argument("--save", default=None, help="folder for failing inputs (default: a temp folder)")
    ap.add_argument("--format", choices=["text", "json"], default="text")
    args = ap.parse_args()
    if not 0 < args.minutes <= 24 * 60 or not 1 <= args.workers <= 64 or args.deep_every < 1:
        ap.error("--minutes must be in (0, 1440], --workers in [1, 64], --deep-every >= 1")
    seconds = 20 if args.quick else args.minutes * 60
    save = Path(args.save or tempfile.mkdtemp(prefix="ivr-fuzz-failures-"))
    save.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(args.seed)
    draw = fz.inputs(rnd)
    stats: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, str] = {}
    slowest, growth = [0.0, ""], [0.0]
    last = [time.monotonic()]
    t_start = time.monotonic()

    def jobs() -> Iterator:
        n = 0
        while True:
            reader, seed, data = draw()
            n += 1
            suffix = seed.suffix if reader == "sniff" else fz.SUFFIX.get(reader, seed.suffix)
            yield reader, f"input{suffix}", data, n % args.deep_every == 0, seed

    def on_result(job, outcome, detail, took, rss) -> None:
        reader, name, data, _, seed = job
        stats[reader][outcome] += 1
        growth[0] = max(growth[0], rss)
        if took > slowest[0]:
            slowest[:] = [took, f"{reader} <- {seed.name} ({len(data)} bytes)"]
        if outcome in BAD:
            key = f"{reader}:{outcome}:{detail.strip().splitlines()[-1][:120] if detail.strip() else ''}"
            if key not in examples:
                file = save / f"{len(examples):03d}-{reader}-{outcome}{Path(name).suffix}"
                file.write_bytes(data)
                examples[key] = f"{file}: {detail.strip()[-600:]}"
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            n = sum(sum(c.values()) for c in stats.values())
            bad = sum(c[o] for c in stats.values() for o in BAD)
            print(f"  {n} inputs ({n / (last[0] - t_start):.0f}/s), {bad} failures, "
                  f"{t_start + seconds - last[0]:.0f} s left", file=sys.stderr, flush=True)

    _warm_up()
    t_start = last[0] = time.monotonic()
    run_pool(jobs(), seconds, args.workers, on_result=on_result)
    elapsed = time.monotonic() - t_start
    totals = Counter()
    for c in stats.values():
        totals.update(c)
    result = {"minutes": round(seconds / 60, 2), "elapsed_s": round(elapsed, 1), "workers": args.workers,
              "inputs": sum(totals.values()), "inputs_per_s": round(sum(totals.values()) / elapsed, 1),
              "per_reader": {r: dict(stats[r]) for r in sorted(stats)}, "totals": dict(totals),
              "failures": sum(totals[o] for o in BAD), "slowest_s": round(slowest[0], 2),
              "slowest_input": slowest[1], "worker_rss_growth_mb": round(growth[0]),
              "examples": examples, "saved_in": str(save),
              "watchdog_s": WATCHDOG_S, "memory_cap_mb": MEMORY_MB}
    if args.format == "json":
        print(json.dumps(result, indent=2))
        return
    cols = ["ok", "refused", "import-refused", *BAD]
    print(f"fuzzed {result['inputs']} inputs in {result['elapsed_s']} s with {args.workers} workers: "
          f"{result['inputs_per_s']} inputs/s (watchdog {WATCHDOG_S:g} s, memory cap +{MEMORY_MB} MB per worker)")
    print(f"{'reader':<11}" + "".join(f"{c:>15}" for c in ["inputs", *cols]))
    for r in sorted(stats):
        c = stats[r]
        print(f"{r:<11}" + f"{sum(c.values()):>15}" + "".join(f"{c[o]:>15}" for o in cols))
    print(f"{'total':<11}" + f"{result['inputs']:>15}" + "".join(f"{totals[o]:>15}" for o in cols))
    print(f"failures (tracebacks + property + timeouts + memory + died): {result['failures']}; "
          f"slowest input {result['slowest_s']} s ({result['slowest_input']}); largest worker RSS "
          f"growth since its fork {result['worker_rss_growth_mb']} MB")
    for key, text in examples.items():
        print(f"\n== {key}\n{text}")
    if examples:
        print(f"\nfailing inputs saved in {save}")


if __name__ == "__main__":
    main()
