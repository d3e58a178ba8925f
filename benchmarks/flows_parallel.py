"""How fast `ivr test` runs the bundled caller-flow suites, serial vs parallel,
and how long `--generate` takes per bundled menu.

    .venv/bin/python benchmarks/flows_parallel.py             # suites x3, jobs 1 and 2
    .venv/bin/python benchmarks/flows_parallel.py --copies 1 --jobs 1,2,4

The text-only suites (the speech scenarios load a recogniser, which would
dominate) are copied `--copies` times into a temporary folder so the run is
long enough to measure; each job count runs the same files in the same run.
Goal: files spread over processes beat one process on a multi-core machine
(check `uptime` first: other work on the cores flattens the gain).
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.config import load_config  # noqa: E402
from ivr.flows.generate import crawl  # noqa: E402
from ivr.flows.runner import run_files  # noqa: E402
from ivr.loader import load_menu  # noqa: E402

MENUS = ["maze", "consumer-service", "12351-hotline"]


def copy_suites(dest: Path, copies: int) -> list[str]:
    """The menus and `copies` copies of each suite under `dest`, at the same
    depths as in the project, so `menu: ../../../menus/...` resolves there."""
    shutil.copytree(ROOT / "menus", dest / "menus")
    files = []
    for menu in MENUS:
        for i in range(copies):
            out = dest / "tests" / "flows" / f"{menu}-{i}"
            shutil.copytree(ROOT / "tests" / "flows" / menu, out, ignore=shutil.ignore_patterns("speech.yaml"))
            files += sorted(str(p) for p in out.rglob("*.yaml"))
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--jobs", default="1,2")
    args = parser.parse_args()
    config = load_config(str(ROOT / "config.yaml"))
    print("generate (crawl every path, bounded loops):")
    for name in MENUS:
        menu = load_menu(ROOT / "menus" / f"{name}.yaml")
        start = time.perf_counter()
        generated = crawl(menu, config)
        print(f"  {name:18} {len(generated.paths):4d} paths in {time.perf_counter() - start:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        files = copy_suites(Path(tmp), args.copies)
        print(f"run {len(files)} scenario files (bundled suites x{args.copies}, no speech):")
        base = None
        for jobs in [int(j) for j in args.jobs.split(",")]:
            start = time.perf_counter()
            results, _ = run_files(files, jobs)
            seconds = time.perf_counter() - start
            assert all(r.passed for r in results), [r.name for r in results if not r.passed]
            base = base or seconds
            print(f"  --jobs {jobs}: {len(results)} scenarios in {seconds:6.2f} s "
                  f"({len(results) / seconds:6.1f}/s, {base / seconds:4.2f}x vs --jobs 1)")


if __name__ == "__main__":
    main()
