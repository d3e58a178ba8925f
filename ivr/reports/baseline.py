"""Compare a run with an earlier one (`ivr audit --baseline previous.json`).

A menu is matched by its file path (else by its menu id). A finding is the
same finding when rule, pack and node are the same — not its line, which
moves when the file is edited, nor its message, whose figures change as the
menu does (messages only decide which of two same-key findings pair up).
Each finding becomes `new` or `unchanged`; the findings of the baseline that
are gone are listed per menu as `fixed`; the verdict before and now are given.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..errors import IvrError
from ..model import Where


def load(path: str) -> dict:
    """The menus of an earlier `ivr audit --format json` (this envelope, or the list /
    single object of ivr versions before it)."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise IvrError(f"cannot read the baseline: {getattr(err, 'strerror', None) or err}",
                       "give the JSON an earlier `ivr audit --format json` wrote", Where(path, 0, 0),
                       "unreadable") from None
    except ValueError as err:
        raise IvrError(f"the baseline is not JSON: {err}", "give the JSON an earlier `ivr audit --format json` "
                       "wrote", Where(path, getattr(err, "lineno", 1), getattr(err, "colno", 1)), "bad-json") from None
    menus = data.get("menus") if isinstance(data, dict) and "menus" in data else \
        data if isinstance(data, list) else [data]
    if not isinstance(menus, list) or not all(isinstance(m, dict) for m in menus):
        raise IvrError("the baseline is not an ivr audit report", "give the JSON an earlier "
                       "`ivr audit --format json` wrote", Where(path, 1, 1), "bad-value")
    menus = [m for m in menus if isinstance(m.get("findings"), list)]
    return {"file": path, "menus": menus}


def key(finding: dict) -> tuple:
    return (finding.get("rule"), finding.get("pack"), finding.get("node"))


def _pair(now: list[dict], before: list[dict]) -> list[dict]:
    """Mark each of `now` new or unchanged against `before`; return the findings of `before` that are gone."""
    groups: dict = defaultdict(list)
    for f in before:
        groups[key(f)].append(f)
    for f in now:     # exact message first, so the right one of two same-key findings pairs up
        group = groups[key(f)]
        match = next((b for b in group if b.get("message") == f.get("message")), None)
        if match is not None:
            group.remove(match)
            f["baseline"] = "unchanged"
    for f in now:
        if "baseline" not in f:
            group = groups[key(f)]
            f["baseline"] = "unchanged" if group else "new"
            if group:
                group.pop(0)
    return [f for group in groups.values() for f in group]


def _verdict(m: dict) -> str:
    from . import verdict
    return verdict(m) if "passed" in m else "error"


def compare(doc: dict, base: dict) -> None:
    """Mark `doc` (reports.envelope) against `base` (load): per finding, per menu and in total."""
    by_file = {m.get("source"): m for m in base["menus"]}
    ids: dict = defaultdict(list)
    for m in base["menus"]:
        ids[m.get("menu")].append(m)
    used = set()
    totals = {"new": 0, "unchanged": 0, "fixed": 0, "verdict_changes": 0}
    for m in doc["menus"]:
        old = by_file.get(m["source"]) or (ids[m["menu"]][0] if len(ids[m["menu"]]) == 1 else None)
        m["findings"] = [dict(f) for f in m["findings"]]
        fixed = _pair(m["findings"], old["findings"] if old else [])
        before = _verdict(old) if old else None
        info = {"verdict_before": before, "verdict": _verdict(m), "changed": before != _verdict(m),
                "new": sum(f["baseline"] == "new" for f in m["findings"]),
                "unchanged": sum(f["baseline"] == "unchanged" for f in m["findings"]),
                "fixed": [dict(f, baseline="fixed") for f in fixed]}
        m["baseline"] = info
        if old is not None:
            used.add(id(old))
        totals["new"] += info["new"]
        totals["unchanged"] += info["unchanged"]
        totals["fixed"] += len(info["fixed"])
        totals["verdict_changes"] += info["changed"]
    for e in doc["errors"]:   # audited before, not readable now: a verdict change, not a menu gone
        old = by_file.get(e["file"])
        if old is not None:
            used.add(id(old))
            e["baseline"] = {"verdict_before": _verdict(old), "verdict": "error", "changed": True}
            totals["verdict_changes"] += 1
    gone = [{"source": m.get("source"), "menu": m.get("menu"), "verdict": _verdict(m)}
            for m in base["menus"] if id(m) not in used]
    doc["baseline"] = dict(totals, file=base["file"], menus_not_in_this_run=gone)
