"""Run every benchmark in this folder, one after another (`make bench`).

    .venv/bin/python benchmarks/run_all.py           # full runs (several minutes)
    .venv/bin/python benchmarks/run_all.py --quick   # small sizes, for a first look

Each benchmark prints its own comparison, measured in the same run.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# script -> extra arguments for --quick
BENCHMARKS = {
    "engine_calls.py": [],
    "audit_scale.py": ["--sizes", "1000,10000,100000", "--batch", "500"],
    "queue_sim.py": ["--sizes", "10000,100000", "--simpy-max", "100000"],
    "flows_parallel.py": ["--copies", "1"],
    "asr_digits.py": ["--limit", "20"],
    "asr_rejection.py": ["--quick"],
    "import_scaling.py": ["--quick"],
    "fuzz.py": ["--quick"],          # full `make bench`: one minute; the run is --minutes 20
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for a first look")
    parser.add_argument("names", nargs="*", help="only these benchmarks (file names)")
    args = parser.parse_args()
    failed = []
    for script, quick_args in BENCHMARKS.items():
        if args.names and script not in args.names:
            continue
        print(f"\n=== {script}", flush=True)
        run = subprocess.run([sys.executable, str(HERE / script), *(quick_args if args.quick else [])])
        if run.returncode:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
