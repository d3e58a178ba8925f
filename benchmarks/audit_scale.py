"""How `ivr audit` scales: generated menus of 10^3 ... 10^6 nodes, and a batch
of many small menu files with --jobs.

    .venv/bin/python benchmarks/audit_scale.py                 # full run
    .venv/bin/python benchmarks/audit_scale.py --sizes 1000,10000 --batch 500   # quick

For each size (in its own process, so memory figures do not mix) it prints:
the metrics time (graph arrays + every search), the full audit with all six
packs (the generated menu is English, so cn and es are forced on with
all_languages, as `ivr audit --all-languages` does), the peak memory of the
audit (tracemalloc, in a second pass), and — in the same run, on the same
edges — the fewest-steps-to-a-person search done by networkx (graph build +
Dijkstra) beside ours (scipy.sparse.csgraph). The generated menus are
audited in memory: as files, 10^5 nodes and more exceed the loader's 2 MiB
file-size limit. The batch audits each small English file with the 4 packs
that apply to it (ivr-core, us-bills, gethuman, design).
Goal: linear growth, 10^6 nodes in under 5 s, faster than networkx.
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ivr.model import Command, Menu, Node, Option, Policy, Queue, Where  # noqa: E402

PACKS = ["ivr-core", "cn", "es", "us-bills", "gethuman", "design"]


def generate(n: int) -> Menu:
    """A 5-way tree of menus with answers as leaves (each back to its menu),
    a global human command (off on every 7th menu: those are 2 steps away),
    and one agent queue. Every node is reachable and every menu has options
    (a menu the loader would accept). Shared Where/Policy objects keep the
    model small."""
    where, to_human = Where("generated.yaml", 1, 1), Policy(2, "@human")
    nodes: dict[str, Node] = {"agent": Node("agent", "human", prompt="Connecting you.", where=where,
                                            queue=Queue("q", agents=20, aht_s=240, calls_per_hour=240,
                                                        announce_wait=True, callback=True))}
    count = n - 1
    menus = max(1, (count + 3) // 5)   # enough menus for 5 children each to hold every other node
    for i in range(menus):
        kids = [5 * i + k for k in range(1, 6)]
        options = []
        for k, child in enumerate(kids, 1):
            if child < menus:
                target = f"m{child}"
            elif child - menus < count - menus:
                target = f"a{child - menus}"
            else:
                continue
            options.append(Option(target, key=str(k), phrases=[f"choice {k}"], where=where))
        nodes[f"m{i}"] = Node(f"m{i}", "menu", prompt="For a person press 0 or say agent. Choose 1 to 5.",
                              options=options, no_input=to_human, no_match=to_human, where=where,
                              globals_off=["human"] if i % 7 == 3 else [])
    for j in range(count - menus):
        parent = (menus + j - 1) // 5   # child c = 5i + k (k = 1..5) of menu i
        nodes[f"a{j}"] = Node(f"a{j}", "self_service", prompt="Here is the answer.", answer="Yes.",
                              next=f"m{parent}", where=where)
    return Menu(id=f"gen-{n}", title="generated", language="en", languages=["en"], start="m0", nodes=nodes,
                commands={"human": Command("human", key="0", phrases=["agent", "operator"], target="agent")},
                priority_routes=[{"name": "elderly", "when": "65+", "to": "agent"}], source="generated.yaml")


def one_size(n: int, with_nx: bool) -> dict:
    import numpy as np
    from ivr.audit import audit_menu
    from ivr.metrics import POLICY, _steps_to_human, build_graph, compute
    from ivr.config import DEFAULTS

    t = time.perf_counter()
    menu = generate(n)
    gen_s = time.perf_counter() - t

    t = time.perf_counter()
    metrics = compute(menu)
    metrics_s = time.perf_counter() - t
    t = time.perf_counter()
    audit = audit_menu(menu, PACKS, all_languages=True)
    audit_s = time.perf_counter() - t
    assert audit.packs == PACKS, audit.packs

    tracemalloc.start()
    audit_menu(menu, PACKS, all_languages=True)
    peak_mib = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()

    summary = metrics.summary()
    graph, _ = build_graph(menu, DEFAULTS)
    keep = (graph.kind != POLICY) & (graph.kind != 2)   # the by-key search: keys, inputs, automatic moves
    t = time.perf_counter()
    ours = _steps_to_human(graph, keep)[:graph.n]
    ours_s = time.perf_counter() - t
    out = {"nodes": len(menu.nodes), "edges": int(graph.src.size), "generate_s": gen_s, "metrics_s": metrics_s,
           "audit_s": audit_s, "audit_peak_mib": peak_mib, "reach_ours_s": ours_s, "findings": len(audit.findings),
           "max_steps_to_human": summary["max_steps_to_human"], "unreachable": len(summary["unreachable"])}
    assert out["unreachable"] == 0, f"generated menu of {n} nodes has unreachable nodes"
    if with_nx:
        import networkx as nx
        t = time.perf_counter()
        g = nx.DiGraph()
        u, v, w = graph.dst[keep].tolist(), graph.src[keep].tolist(), (graph.kind[keep] != 0).astype(int).tolist()
        g.add_weighted_edges_from(zip(u, v, w))
        dist = nx.single_source_dijkstra_path_length(g, graph.n + 1)
        out["reach_nx_s"] = time.perf_counter() - t
        theirs = np.array([dist.get(i, math.inf) for i in range(graph.n)])
        out["same_answer"] = bool(np.array_equal(theirs, ours))
        assert np.array_equal(theirs, metrics.steps_key), "networkx and ivr disagree"
    return out


def small_menu_yaml(i: int) -> str:
    """A small menu file; every third one has a fault for the audit to find."""
    bad = i % 3 == 0
    data = {"id": f"small-{i}", "title": f"Small line {i}", "language": "en", "start": "main",
            "commands": {} if bad else {"human": {"key": "0", "say": ["agent", "operator"], "to": "agent"}},
            "defaults": {"no_input": {"retries": 0 if bad else 2, "then": "@hangup" if bad else "@human"}},
            "nodes": {"main": {"kind": "menu", "prompt": "For billing press 1. For a person press 0 or say agent.",
                               "options": [{"key": "1", "say": ["billing"], "to": "billing"},
                                           {"key": "2", "say": ["hours"], "to": "hours"}]},
                      "billing": {"kind": "menu", "prompt": "Balance press 1. Agent press 0.",
                                  "options": [{"key": "1", "to": "balance"}, {"key": "9", "to": "agent"}]},
                      "balance": {"kind": "self_service", "prompt": "Balance.", "answer": "Online.", "next": "main"},
                      "hours": {"kind": "self_service", "prompt": "Hours.", "answer": "8 to 8.", "next": "main"},
                      "agent": {"kind": "human", "prompt": "Connecting you.",
                                "queue": {"name": "q", "agents": 5, "aht_s": 200, "calls_per_hour": 60,
                                          "announce_wait": True, "callback": True}}}}
    return yaml.safe_dump(data, sort_keys=False)


def batch(count: int, jobs: int) -> None:
    from ivr.audit import audit_files
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(count):
            p = Path(tmp) / f"small-{i}.yaml"
            p.write_text(small_menu_yaml(i))
            paths.append(str(p))
        rows = []
        for j in sorted({1, jobs}):
            t = time.perf_counter()
            results = audit_files(paths, PACKS, jobs=j, nodes=False)   # scoped: 4 packs apply to English
            seconds = time.perf_counter() - t
            failed = sum(not r.get("passed", False) for r in results)
            rows.append((j, seconds, failed))
        print(f"\nbatch of {count} small English menu files (load + audit with the 4 packs that apply):")
        print(f"{'jobs':>5} {'seconds':>9} {'files/s':>9} {'failed':>7}")
        for j, seconds, failed in rows:
            print(f"{j:>5} {seconds:>9.2f} {count / seconds:>9.0f} {failed:>7}")
        if len(rows) == 2:
            print(f"speed-up with {jobs} jobs: {rows[0][1] / rows[1][1]:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--nx-max", type=int, default=1_000_000, help="largest size also run with networkx")
    ap.add_argument("--batch", type=int, default=10_000, help="small menu files in the batch (0: skip)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)   # internal: run one size, print JSON
    ap.add_argument("--nx", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one, args.nx)))
        return
    print(f"{'nodes':>9} {'edges':>10} {'metrics s':>10} {'audit s':>8} {'peak MiB':>9} "
          f"{'reach ivr s':>12} {'reach nx s':>11} {'nx/ivr':>7} {'max steps':>9}")
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        cmd = [sys.executable, __file__, "--one", str(n)] + (["--nx"] if n <= args.nx_max else [])
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        rows.append(r)
        nx_s = r.get("reach_nx_s")
        print(f"{r['nodes']:>9} {r['edges']:>10} {r['metrics_s']:>10.3f} {r['audit_s']:>8.3f} "
              f"{r['audit_peak_mib']:>9.1f} {r['reach_ours_s']:>12.4f} "
              f"{nx_s if nx_s is not None else float('nan'):>11.3f} "
              f"{(nx_s / r['reach_ours_s']) if nx_s else float('nan'):>7.1f} {r['max_steps_to_human']!s:>9}",
              flush=True)
    if len(rows) > 1:
        a, b = rows[-2], rows[-1]   # the two largest: small sizes are dominated by fixed costs
        growth = (b["audit_s"] / a["audit_s"]) / (b["nodes"] / a["nodes"])
        print(f"audit time per node, {b['nodes']} vs {a['nodes']} nodes: {growth:.2f}x (1.0 = linear)")
        big = rows[-1]
        print(f"goal 10^6 nodes < 5 s: audit of {big['nodes']} nodes took {big['audit_s']:.2f} s "
              f"-> {'met' if big['nodes'] >= 10**6 and big['audit_s'] < 5 else 'see above'}")
    if args.batch:
        batch(args.batch, args.jobs)


if __name__ == "__main__":
    main()
