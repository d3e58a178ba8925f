"""Fuzz every reader of ivr with mutated real and bundled files (issue 15).

    .venv/bin/python benchmarks/fuzz.py [--minutes N] [--quick] [--seed S] [--format json]

Inputs come from tests/fuzz_harness.py (seeds: ../shared/real_menus, menus/,
the Asterisk test dialplan, config.yaml; mutations: byte edits, hostile
tokens, extreme numbers, deep nesting, growth) and run in a worker process,
one at a time, with a 10 s watchdog per input and a memory cap (RLIMIT_AS =
the worker's size after start-up + 500 MB). A worker that overruns, runs
out of memory or dies is replaced and the input counted. Prints, per reader:
inputs tried, clean results (menu / refused with file:line:col / refused by
import), tracebacks, property failures, timeouts, memory-cap hits; the first
failing inputs are saved under --save (default: a temp folder) to replay.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import fuzz_harness as fz  # noqa: E402

WATCHDOG_S = 10.0
MEMORY_MB = 500


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def worker(conn, workdir: str) -> None:
    """Run inputs sent over `conn` until None; answer (outcome, detail)."""
    os.nice(0)
    for reader in fz.READERS:   # warm start: every import a reader makes happens before the watchdog
        seed = fz.SEEDS[reader][0]            # and the cap (importing the knowledge base's matcher alone
        path = Path(workdir) / f"warm{seed.suffix}"   # took 10 s on a loaded machine)
        path.write_bytes(seed.read_bytes())
        try:
            fz.check(reader, str(path))
        except BaseException:  # noqa: BLE001  (counted when the real inputs run)
            pass
    cap = _vm_bytes() + MEMORY_MB * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    conn.send(("ready", ""))
    while True:
        job = conn.recv()
        if job is None:
            return
        reader, name, data, deep = job
        path = Path(workdir) / name
        path.write_bytes(data)
        try:
            outcome, detail = fz.check(reader, str(path), deep), ""
        except MemoryError:
            outcome, detail = "memory", "MemoryError"
        except fz.PropertyFailure as err:
            outcome, detail = "property", str(err)
        except AssertionError as err:
            outcome, detail = "traceback", f"AssertionError: {err}"
        except BaseException:  # noqa: BLE001  (the harness is looking for exactly these)
            outcome, detail = "traceback", traceback.format_exc(limit=-6)
        conn.send((outcome, detail))


class Pool1:
    """One worker process with a watchdog; replaced after a timeout or death."""

    def __init__(self, workdir: str):
        self.workdir, self.proc, self.conn = workdir, None, None

    def start(self) -> None:
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=worker, args=(child, self.workdir), daemon=True)
        self.proc.start()
        if not self.conn.poll(120):
            raise SystemExit("fuzz worker did not start")
        self.conn.recv()

    def stop(self) -> None:
        if self.proc and self.proc.is_alive():
            self.proc.kill()
        if self.proc:
            self.proc.join(5)
        self.proc = None

    def run(self, job) -> tuple[str, str, float]:
        if self.proc is None:
            self.start()
        t0 = time.perf_counter()
        self.conn.send(job)
        if not self.conn.poll(WATCHDOG_S):
            self.stop()
            return "timeout", f"over {WATCHDOG_S:g} s", time.perf_counter() - t0
        try:
            outcome, detail = self.conn.recv()
        except EOFError:
            code = self.proc.exitcode if self.proc else None
            self.stop()
            return "died", f"worker exit code {code} (killed by the memory cap or a signal?)", time.perf_counter() - t0
        return outcome, detail, time.perf_counter() - t0


BAD = ("traceback", "property", "timeout", "memory", "died")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=1.0, help="how long to fuzz (default 1)")
    ap.add_argument("--quick", action="store_true", help="a 20-second run")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--deep-every", type=int, default=4,
                    help="run the full property check (import/validate/export/call) on every Nth input")
    ap.add_argument("--save", default=None, help="folder for failing inputs (default: a temp folder)")
    ap.add_argument("--format", choices=["text", "json"], default="text")
    args = ap.parse_args()
    seconds = 20 if args.quick else args.minutes * 60
    save = Path(args.save or tempfile.mkdtemp(prefix="ivr-fuzz-failures-"))
    save.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(args.seed)
    draw = fz.inputs(rnd)
    stats: dict[str, Counter] = defaultdict(Counter)
    examples: dict[str, str] = {}
    slowest = (0.0, "")
    with tempfile.TemporaryDirectory(prefix="ivr-fuzz-") as work:
        pool = Pool1(work)
        pool.start()
        end = time.monotonic() + seconds
        n = 0
        last = time.monotonic()
        while time.monotonic() < end:
            reader, seed, data = draw()
            n += 1
            name = f"input{fz.SUFFIX.get(reader, seed.suffix)}" if reader != "sniff" else f"input{seed.suffix}"
            outcome, detail, took = pool.run((reader, name, data, n % args.deep_every == 0))
            stats[reader][outcome] += 1
            if took > slowest[0]:
                slowest = (took, f"{reader} <- {seed.name} ({len(data)} bytes)")
            if outcome in BAD:
                key = f"{reader}:{outcome}:{detail.strip().splitlines()[-1][:120] if detail.strip() else ''}"
                if key not in examples:
                    file = save / f"{len(examples):03d}-{reader}-{outcome}{Path(name).suffix}"
                    file.write_bytes(data)
                    examples[key] = f"{file}: {detail.strip()[-600:]}"
            if time.monotonic() - last > 30:
                last = time.monotonic()
                bad = sum(c[o] for c in stats.values() for o in BAD)
                print(f"  {n} inputs, {bad} failures, {end - last:.0f} s left", file=sys.stderr, flush=True)
        pool.stop()
    totals = Counter()
    for c in stats.values():
        totals.update(c)
    result = {"minutes": round(seconds / 60, 2), "inputs": sum(totals.values()),
              "per_reader": {r: dict(stats[r]) for r in sorted(stats)}, "totals": dict(totals),
              "failures": sum(totals[o] for o in BAD), "slowest_s": round(slowest[0], 2),
              "slowest_input": slowest[1], "examples": examples, "saved_in": str(save),
              "watchdog_s": WATCHDOG_S, "memory_cap_mb": MEMORY_MB}
    if args.format == "json":
        print(json.dumps(result, indent=2))
        return
    cols = ["ok", "refused", "import-refused", *BAD]
    print(f"fuzzed {result['inputs']} inputs in {result['minutes']} min (watchdog {WATCHDOG_S:g} s, "
          f"memory cap +{MEMORY_MB} MB per worker)")
    print(f"{'reader':<11}" + "".join(f"{c:>15}" for c in ["inputs", *cols]))
    for r in sorted(stats):
        c = stats[r]
        print(f"{r:<11}" + f"{sum(c.values()):>15}" + "".join(f"{c[o]:>15}" for o in cols))
    print(f"{'total':<11}" + f"{result['inputs']:>15}" + "".join(f"{totals[o]:>15}" for o in cols))
    print(f"failures (tracebacks + property + timeouts + memory + died): {result['failures']}; "
          f"slowest input {result['slowest_s']} s ({result['slowest_input']})")
    for key, text in examples.items():
        print(f"\n== {key}\n{text}")
    if examples:
        print(f"\nfailing inputs saved in {save}")


if __name__ == "__main__":
    main()
