"""Start-up cost of the `ivr` command, against the base commit, in one run.

    .venv/bin/python benchmarks/cli_start.py            # 7 runs of each command
    .venv/bin/python benchmarks/cli_start.py --quick    # 3 runs
    .venv/bin/python benchmarks/cli_start.py --base REV # compare with another commit

The base is the commit before lazy commands (ec4cf20), unpacked with
`git archive` into a temporary folder (no checkout, no worktree is touched)
and run with the same Python and the same installed libraries, so the only
difference is ivr's own code. Each command runs as a fresh process: the
median wall-clock time and CPU time (user + system) are printed side by side.
Goals (issue 13): `ivr --help` <= 0.2 s, `ivr audit menus/maze.yaml` <= 0.5 s
wall. On a shared machine wall time includes waiting for a core: compare the
CPU column too, and check `uptime`.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = "ec4cf20"
COMMANDS = {"ivr --help": (["--help"], 0.2),
            "ivr audit --help": (["audit", "--help"], None),
            "ivr audit menus/maze.yaml": (["audit", "menus/maze.yaml"], 0.5),
            "ivr graph menus/maze.yaml": (["graph", "menus/maze.yaml"], None)}


def unpack(rev: str, dest: Path) -> Path:
    """The tree of `rev` under `dest` (only ivr/, menus/ and config.yaml are needed)."""
    archive = dest / "base.tar"
    with open(archive, "wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", rev, "ivr", "menus", "config.yaml"],
                       stdout=out, check=True, timeout=120)
    with tarfile.open(archive) as tar:
        tar.extractall(dest / "tree", filter="data")
    return dest / "tree"


def run_once(tree: Path, argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one `python -m ivr ARGV` in `tree`."""
    # bytecode is written (as pip does for an installed package): with PYTHONDONTWRITEBYTECODE
    # set (CI images do), every run would compile ivr's sources and the warm-up below would not help
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": str(tree)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ivr", *argv], cwd=tree, env=env, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(tree: Path, argv: list[str], runs: int) -> tuple[float, float]:
    run_once(tree, argv)   # warm the page cache and write .pyc files
    samples = [run_once(tree, argv) for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="3 runs per command instead of 7")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--base", default=BASE, help=f"commit to compare with (default {BASE})")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 7)
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; median of {runs} runs; "
          f"base = {args.base}; python {sys.version.split()[0]}")
    met = True
    with tempfile.TemporaryDirectory() as tmp:
        base = unpack(args.base, Path(tmp))
        print(f"{'command':28} {'base wall s':>11} {'base cpu s':>10} {'now wall s':>10} {'now cpu s':>9} "
              f"{'speed-up':>8}  goal")
        for label, (argv, goal) in COMMANDS.items():
            b_wall, b_cpu = measure(base, argv, runs)
            n_wall, n_cpu = measure(ROOT, argv, runs)
            verdict = ""
            if goal is not None:
                verdict = f"<= {goal} s: {'met' if n_wall <= goal else 'NOT met'}"
                met &= n_wall <= goal
            print(f"{label:28} {b_wall:11.3f} {b_cpu:10.3f} {n_wall:10.3f} {n_cpu:9.3f} {b_wall / n_wall:7.1f}x  "
                  f"{verdict}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
