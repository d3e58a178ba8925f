"""`ivr audit` on 1 000 varied menu files: --jobs 1, --jobs 2 and a Dask
LocalCluster, in one run, with byte-identical JSON asserted.

    .venv/bin/python benchmarks/audit_batch.py            # 1 000 files
    .venv/bin/python benchmarks/audit_batch.py --quick    # 200 files, no Dask

The files are generated into a temporary folder: copies of the three bundled
menus (renamed, some with faults planted: no global human command, silence
hanging up, adverts that cannot be skipped) and generated menu trees of 5 to
200 nodes in English, Chinese and Spanish — so packs, sizes and verdicts
vary. Each run is the real command (`python -m ivr audit --format json -o
FILE PATHS...`) in a fresh process: start-up, loading, auditing and writing
all count. CPU seconds (the command and the workers it waited for) show
whether parallel runs do extra work; Dask's workers run under its own nanny
processes, so part of their CPU may not be counted. Goal (issue 13): --jobs 2 at least 1.7x faster than --jobs 1 on a
2-core machine (other work on the cores lowers it: the load average is
printed), and the distributed run's JSON identical to byte.
"""
from __future__ import annotations

import argparse
import copy
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ["maze", "consumer-service", "12351-hotline"]
WORDS = {"en": ("For a person press 0 or say agent. Choose 1 to 5.", ["agent", "operator"], "choice {k}",
                "Here is the answer."),
         "zh-CN": ("人工服务请按0或说转人工。请选择1到5。", ["转人工", "人工", "人工服务"], "选项{k}", "这是答案。"),
         "es": ("Para hablar con una persona pulse 0 o diga agente. Elija de 1 a 5.", ["agente", "operador"],
                "opción {k}", "Esta es la respuesta.")}


def tree_menu(i: int, n: int, lang: str) -> dict:
    """A 5-way tree of menus with answers as leaves; a global human command
    (switched off on every 7th menu in every other file), one queue."""
    prompt, human_words, choice, answer = WORDS[lang]
    menus = max(1, (n + 2) // 5)
    nodes: dict = {"agent": {"kind": "human", "prompt": answer,
                             "queue": {"name": "q", "agents": 3 + i % 5, "aht_s": 240,
                                       "calls_per_hour": 20 + i % 40}}}
    for m in range(menus):
        options = []
        for k in range(1, 6):
            child = 5 * m + k
            target = f"m{child}" if child < menus else f"a{child - menus}" if child - menus < n - 1 - menus else None
            if target:
                options.append({"key": str(k), "say": [choice.format(k=k)], "to": target})
        if not options:
            options = [{"key": "1", "say": [choice.format(k=1)], "to": "agent"}]
        node = {"kind": "menu", "prompt": prompt, "options": options}
        if i % 2 and m % 7 == 3:
            node["globals_off"] = ["human"]
        nodes[f"m{m}"] = node
    for a in range(max(0, n - 1 - menus)):
        nodes[f"a{a}"] = {"kind": "self_service", "prompt": answer, "answer": answer,
                          "next": f"m{(menus + a - 1) // 5}"}
    return {"id": f"tree-{i}", "title": f"Generated line {i} ({lang}, {len(nodes)} nodes)", "language": lang,
            "start": "m0", "commands": {"human": {"key": "0", "say": human_words, "to": "agent"}},
            "defaults": {"no_input": {"retries": 2, "then": "@human"}, "no_match": {"retries": 2, "then": "@human"}},
            "nodes": nodes}


def bundled_variant(i: int, data: dict) -> dict:
    data = copy.deepcopy(data)
    data["id"] = f"{data['id']}-{i}"
    data["title"] = f"{data.get('title', data['id'])} (copy {i})"
    if i % 5 == 0:   # silence hangs up
        data.setdefault("defaults", {})["no_input"] = {"retries": 0, "then": "@hangup"}
    if i % 7 == 0:   # nothing may interrupt the prompts
        data.setdefault("defaults", {})["barge_in"] = False
    return data


def generate(count: int, folder: Path) -> list[str]:
    shutil.copytree(ROOT / "menus" / "knowledge", folder / "knowledge")
    bases = {name: yaml.safe_load((ROOT / "menus" / f"{name}.yaml").read_text("utf-8")) for name in BUNDLED}
    sizes = [5, 12, 30, 60, 120, 200]
    langs = list(WORDS)
    paths = []
    for i in range(count):
        if i % 4 < 3:
            data = bundled_variant(i, bases[BUNDLED[i % 4]])
        else:
            data = tree_menu(i, sizes[(i // 4) % len(sizes)], langs[(i // 4) % len(langs)])
        path = folder / f"menu-{i:04d}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        paths.append(str(path))
    return paths


def audit(paths: list[str], out: Path, *extra: str) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "ivr", "audit", "--format", "json", "-o", str(out), *extra, *paths],
                         cwd=ROOT, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - start
    if run.returncode not in (0, 1):
        raise SystemExit(f"ivr audit {' '.join(extra)} failed ({run.returncode}): {run.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 files and no Dask run")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    count = 200 if args.quick else args.files
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(count, folder / "menus")
        print(f"{count} menu files; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        runs = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"])]
        if not (args.quick or args.no_dask):
            runs.append(("--dask local --jobs 2", ["--dask", "local", "--jobs", "2"]))
        rows = []
        for label, extra in runs:
            out = folder / f"out-{len(rows)}.json"
            wall, cpu = audit(paths, out, *extra)
            rows.append((label, wall, out.read_bytes()))
            print(f"  {label:24} {wall:7.2f} s wall  {count / wall:6.1f} files/s  {cpu:7.2f} s CPU", flush=True)
        import json
        results = json.loads(rows[0][2])
        menus = results.get("menus", []) if isinstance(results, dict) else results   # the JSON envelope
        failed = sum(1 for r in menus if not r.get("passed", True))
        errors = len(results.get("errors", [])) if isinstance(results, dict) else 0
        print(f"  menus failing an error-level rule: {failed}; unreadable: {errors}")
        base = rows[0][1]
        speedup = base / rows[1][1]
        print(f"speed-up --jobs 2 vs --jobs 1: {speedup:.2f}x (goal >= 1.7x: {'met' if speedup >= 1.7 else 'NOT met'})")
        for label, _, data in rows[1:]:
            same = data == rows[0][2]
            print(f"JSON of {label} identical to --jobs 1: {same}")
            assert same, f"{label} output differs from --jobs 1"
    return 0


if __name__ == "__main__":
    sys.exit(main())
