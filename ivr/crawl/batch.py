"""Many lines at once on Dask distributed (the project's distributed engine:
pure-Python wheels, a LocalCluster starts in seconds on two cores, and the
same code runs on a scheduler address across machines).

`--targets lines.csv` has a `target` column (sip:LINE@HOST[:PORT]) and
optionally `language`. Each line is one Dask task running the whole crawl
(ivr.crawl.run.crawl) on a worker; the shared budget is split evenly: each
line gets max_calls / lines calls and max_minutes / lines line minutes
(at least one call each), so the batch as a whole stays within it. One bad
row or one failing line is reported and never hides the others' results.
"""
from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path
from typing import Callable, Optional

from ..errors import IvrError
from ..model import Where
from .explore import Budget


def read_targets(path: str) -> tuple[list[dict], list[dict]]:
    """(lines to crawl, rows refused with why)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise IvrError(f"cannot read {path} ({err})", "give a UTF-8 CSV with a `target` column",
                       Where(path)) from None
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "target" not in (rows[0].keys() if rows else []):
        raise IvrError(f"{path} has no `target` column", "first line: target,language", Where(path, 1, 1))
    good, bad, seen = [], [], set()
    for i, row in enumerate(rows, start=2):
        target = (row.get("target") or "").strip()
        if not target.startswith(("sip:", "sips:", "sim:")):
            bad.append({"target": target, "line": i, "error": f"{path}:{i}: {target!r} is not sip:LINE@HOST[:PORT]"})
            continue
        if target in seen:
            bad.append({"target": target, "line": i, "error": f"{path}:{i}: {target} is listed twice"})
            continue
        seen.add(target)
        good.append({"target": target, "language": (row.get("language") or "en").strip() or "en", "line": i})
    return good, bad


def _file_name(target: str) -> str:
    return re.sub(r"[^\w.@-]+", "_", target).strip("_")[:80] or "line"


def crawl_line(row: dict, folder: str, budget: Budget, dtmf: str, transcribe: bool,
               config: Optional[dict], try_speech: bool = False) -> dict:
    """One line, on a worker: the map and report in `folder`; never raises."""
    from .run import Job, crawl
    name = _file_name(row["target"])
    job = Job(target=row["target"], out=str(Path(folder) / f"{name}.yaml"),
              report=str(Path(folder) / f"{name}.json"), language=row["language"], dtmf=dtmf,
              budget=budget, transcribe=transcribe, try_speech=try_speech)
    try:
        report = crawl(job, config)
    except IvrError as err:
        return {"target": row["target"], "finished": False, "error": str(err), "summary": f"error: {err}"}
    except Exception as err:  # a worker's crash is this line's result, not the batch's end
        return {"target": row["target"], "finished": False, "error": f"{type(err).__name__}: {err}",
                "summary": f"failed: {type(err).__name__}: {err}"}
    return {"target": row["target"], "finished": report["finished"], "stopped": report["stopped"],
            "calls": report["calls"], "line_minutes": report["line_minutes"], "nodes": len(report["nodes"]),
            "hidden_human_options": report["hidden_human_options"], "yaml": job.out, "report": job.report,
            "summary": f"{len(report['nodes'])} nodes, {report['calls']} calls, {report['line_minutes']} line minutes"
                       + ("" if report["finished"] else f", stopped: {report['stopped']}")}


def crawl_many(targets: str, folder: str, budget: Budget, dtmf: str = "rfc4733", transcribe: bool = True,
               scheduler: Optional[str] = None, config: Optional[dict] = None,
               progress: Callable[[str], None] = lambda m: None, workers: int = 2,
               try_speech: bool = False) -> list[dict]:
    from dask.distributed import Client, LocalCluster, as_completed

    rows, bad = read_targets(targets)
    Path(folder).mkdir(parents=True, exist_ok=True)
    results = [{"target": b["target"], "finished": False, "error": b["error"], "summary": b["error"]} for b in bad]
    if not rows:
        return results
    share = replace(budget, max_calls=max(1, budget.max_calls // len(rows)),
                    max_minutes=budget.max_minutes / len(rows))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    try:
        futures = [client.submit(crawl_line, row, str(Path(folder).resolve()), share, dtmf, transcribe, config,
                                 try_speech, key=f"crawl-{i}-{_file_name(row['target'])}", pure=False)
                   for i, row in enumerate(rows)]
        for future in as_completed(futures):
            result = future.result()
            progress(f"{result['target']}: {result['summary']}")
            results.append(result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    order = {r["target"]: i for i, r in enumerate(rows)}
    return sorted(results, key=lambda r: order.get(r["target"], -1))
