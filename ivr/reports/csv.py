"""One CSV row per file, for a spreadsheet of many companies' menus.

Menus, then files that could not be audited (status `input error` or
`internal error`), then files skipped as not menus. Cells that a spreadsheet
would run as a formula (starting with = + - @ or a control character) get a
leading apostrophe: a menu title is the menu author's text, not the reader's."""
from __future__ import annotations

import csv
import io

from . import verdict

COLUMNS = ["file", "status", "menu", "title", "language", "packs", "verdict"]
TAIL = ["errors", "warnings", "notes", "max_steps_key", "max_steps_voice", "seconds_to_person",
        "worst_finding", "message"]
BASELINE = ["verdict_before", "new_findings", "fixed_findings", "unchanged_findings"]


def _cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _worst(m: dict) -> str:
    if not m["findings"]:
        return ""
    f = m["findings"][0]   # findings come sorted by severity
    return f"{f['severity']} {f['rule']} ({f['pack']}) at {f['node'] or 'menu'}: {f['message']}"


def _menu_row(m: dict, packs: list[str]) -> dict:
    met = m["metrics"]
    row = {"file": m["source"], "status": "audited", "menu": m["menu"], "title": m["title"],
           "language": m["language"], "packs": " ".join(m["packs"]), "verdict": verdict(m),
           "errors": m["counts"]["error"], "warnings": m["counts"]["warning"], "notes": m["counts"]["note"],
           "max_steps_key": met.get("max_steps_to_human_key"), "max_steps_voice": met.get("max_steps_to_human_voice"),
           "seconds_to_person": met.get("time_to_human_from_start_s"), "worst_finding": _worst(m),
           "message": m.get("not_checked") or ""}
    row.update({f"verdict:{p}": m.get("verdicts", {}).get(p, "") for p in packs})
    if m.get("baseline"):
        b = m["baseline"]
        row.update({"verdict_before": b["verdict_before"] or "new menu", "new_findings": b["new"],
                    "fixed_findings": len(b["fixed"]), "unchanged_findings": b["unchanged"]})
    return row


def to_csv(doc: dict) -> str:
    packs = list(doc["packs"]) or sorted({p for m in doc["menus"] for p in m.get("verdicts", {})})
    header = COLUMNS + [f"verdict:{p}" for p in packs] + TAIL + (BASELINE if doc.get("baseline") else [])
    buf = io.StringIO()
    out = csv.DictWriter(buf, header, extrasaction="ignore", lineterminator="\n")
    out.writeheader()
    rows = [_menu_row(m, packs) for m in doc["menus"]]
    rows += [{"file": e["file"], "status": f"{e['error']} error", "verdict": "error", "message": e["message"],
              "verdict_before": e.get("baseline", {}).get("verdict_before")} for e in doc["errors"]]
    rows += [{"file": s["file"], "status": "skipped", "message": s["reason"]} for s in doc["skipped"]]
    for row in rows:
        out.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()
