"""How much of a menu `ivr crawl` recovers by calling it, per menu:
nodes and key edges found vs the truth (computed from the menu through the
call engine, ivr/crawl/truth.py), steps to a person by key (original vs
crawled), the audit's key-reachability findings (same or not), calls placed,
line minutes and wall seconds.

    .venv/bin/python benchmarks/crawl_accuracy.py               # engine line, all menus
    .venv/bin/python benchmarks/crawl_accuracy.py --line sip    # real SIP calls to `ivr serve` (real time)
    .venv/bin/python benchmarks/crawl_accuracy.py --quick       # two small menus

The engine line plays each menu as telephone audio in virtual time (espeak-ng
prompts through G.711, hold music after a person); the SIP line calls a real
`ivr serve` subprocess on 127.0.0.1, so a crawl there lasts its line minutes
divided by --calls.
"""
from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REAL = ROOT.parent / "shared" / "real_menus"
MENUS = [ROOT / "menus" / "consumer-service.yaml", ROOT / "menus" / "maze.yaml", ROOT / "menus" / "12351-hotline.yaml",
         REAL / "voicexml" / "jvoicexml_dtmf.vxml", REAL / "freeswitch" / "demo_ivr.xml",
         REAL / "twilio" / "basic_example_ivr.json", REAL / "amazon_connect" / "acme_main_AUTO.json"]
QUICK = [REAL / "voicexml" / "jvoicexml_dtmf.vxml", ROOT / "menus" / "consumer-service.yaml"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(yaml_path: Path, port: int, log: Path) -> subprocess.Popen:
    """`ivr serve` on 127.0.0.1:`port`, its log in a file (a pipe nobody reads fills up and stalls it)."""
    proc = subprocess.Popen([sys.executable, "-m", "ivr", "serve", str(yaml_path), "--listen", f"127.0.0.1:{port}",
                             "--no-record", "--no-speech"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=log.open("w"))
    deadline = time.monotonic() + 120
    while "listening" not in log.read_text() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    return proc


def crawl_one(path: Path, line_kind: str, calls: int, tmp: Path) -> dict:
    from ivr.crawl import write
    from ivr.crawl.explore import Budget, Crawler
    from ivr.crawl.engine_line import EngineLine
    from ivr.crawl.truth import key_findings, score
    from ivr.errors import IvrError
    from ivr.menu_yaml import dump_menu
    from ivr.sources import open_menu

    yaml_path = path
    if path.suffix not in (".yaml", ".yml"):  # an import: serve and score its YAML
        yaml_path = tmp / f"{path.stem}.yaml"
        yaml_path.write_text(dump_menu(open_menu(str(path))), encoding="utf-8")
    menu = open_menu(str(yaml_path))          # the file served is the file scored
    proc = None
    if line_kind == "sip":
        from ivr.crawl.sip_line import SipLine
        port = free_port()
        proc = serve(yaml_path, port, tmp / f"{path.stem}.serve.log")
        line = SipLine(f"sip:1000@127.0.0.1:{port}")
        budget = Budget(concurrent=calls, pace_s=0.2, max_minutes=600)   # the hotline needs ~200 line minutes
    else:
        line = EngineLine(menu)
        budget = Budget(concurrent=calls, pace_s=0.0, max_minutes=600)
    started = time.perf_counter()
    progress = (tmp / f"{path.stem}.progress.log").open("w")
    crawler = Crawler(line, budget, progress=lambda m: print(m, file=progress, flush=True))
    try:
        crawler.run()
    finally:
        line.close()
        progress.close()
        if proc:
            proc.terminate()
            proc.wait(20)
    wall = time.perf_counter() - started
    crawled = write.to_menu(crawler, str(path), menu.language)
    names = write.node_names(crawler)
    result = score(menu, crawled, {names[n.id]: n.path for n in crawler.nodes.values()})
    out = tmp / f"{path.stem}.crawled.yaml"
    out.write_text(write.dump(crawler, str(path), menu.language), encoding="utf-8")
    (tmp / f"{path.stem}.crawl.json").write_text(json.dumps(write.report(crawler, str(path)), indent=1,
                                                            ensure_ascii=False), encoding="utf-8")
    try:
        crawled_menu = open_menu(str(out))    # what validate/audit read back
    except IvrError as err:                   # a map ivr cannot read is this menu's result, not the run's end
        print(f"  {path.name}: the crawled map does not load: {err}", file=sys.stderr)
        crawled_menu = None
    result.update(menu=path.name, calls=len(crawler.calls), line_minutes=round(crawler.line_seconds / 60, 1),
                  wall_s=round(wall, 1), stopped=crawler.stopped,
                  key_findings_original=key_findings(menu),
                  key_findings_crawled=key_findings(crawled_menu) if crawled_menu else ["map does not load"])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--line", choices=["engine", "sip"], default="engine")
    parser.add_argument("--calls", type=int, default=4, help="calls at once")
    parser.add_argument("--quick", action="store_true", help="two small menus")
    parser.add_argument("--menus", nargs="*", help="menu files (default: bundled + ../shared/real_menus)")
    parser.add_argument("--keep", type=Path, help="keep each menu's crawled YAML, crawl report, progress and "
                                                  "serve logs in this folder (default: a temporary one)")
    args = parser.parse_args()
    menus = [Path(m) for m in args.menus] if args.menus else (QUICK if args.quick else MENUS)
    from ivr.errors import IvrError
    rows, failed = [], False
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        tmp = args.keep or scratch
        for path in menus:
            if not path.is_file():
                print(f"skip {path}: not found", file=sys.stderr)
                continue
            print(f"crawling {path.name} ({args.line} line) ...", file=sys.stderr, flush=True)
            try:
                rows.append(crawl_one(path, args.line, args.calls, Path(tmp)))
            except IvrError as err:        # one file that is not a menu: said, and the others still run
                print(f"  {path.name}: not crawled: {err}", file=sys.stderr, flush=True)
                failed = True
                continue
            r = rows[-1]
            print(f"  {path.name}: nodes {r['nodes_found']}/{r['truth_nodes']}, edges "
                  f"{r['edges_found']}/{r['truth_edges']}, {r['calls']} calls, {r['wall_s']} s", file=sys.stderr, flush=True)
    head = (f"{'menu':28} {'nodes':>9} {'recall':>7} {'edges':>9} {'recall':>7} {'steps':>7} "
            f"{'key findings':>13} {'calls':>6} {'line min':>8} {'wall s':>7}")
    print(f"crawl accuracy, {args.line} line, {args.calls} calls at once")
    print(head)
    for r in rows:
        same = "same" if r["key_findings_original"] == r["key_findings_crawled"] else "DIFFER"
        steps = f"{r['steps_to_human']}/{r['crawled_steps_to_human']}"
        print(f"{r['menu'][:28]:28} {r['nodes_found']:>4}/{r['truth_nodes']:<4} {r['node_recall']:>7.1%} "
              f"{r['edges_found']:>4}/{r['truth_edges']:<4} {r['edge_recall']:>7.1%} {steps:>7} {same:>13} "
              f"{r['calls']:>6} {r['line_minutes']:>8} {r['wall_s']:>7}")
    for r in rows:
        if r["missed_nodes"] or r["missed_edges"] or r["stopped"]:
            print(f"  {r['menu']}: missed nodes {r['missed_nodes']}, missed edges {r['missed_edges'][:8]}"
                  + (f", stopped: {r['stopped']}" if r["stopped"] else ""))
        if r["key_findings_original"] != r["key_findings_crawled"]:
            print(f"  {r['menu']}: key findings original {r['key_findings_original']} "
                  f"crawled {r['key_findings_crawled']}")
    ok = all(r["node_recall"] >= 0.95 and r["edge_recall"] >= 0.95 for r in rows)
    return 2 if failed else 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
