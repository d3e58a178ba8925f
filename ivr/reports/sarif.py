"""SARIF 2.1.0, so findings show up in code-review tools (GitHub code scanning etc.)."""
from __future__ import annotations

from .. import __version__
from ..rules import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def _rule(rule) -> dict:
    return {"id": rule.ID, "name": rule.ID,
            "shortDescription": {"text": (rule.__doc__ or rule.ID).strip().splitlines()[0]},
            "fullDescription": {"text": rule.RATIONALE},
            "help": {"text": rule.FIX},
            "defaultConfiguration": {"level": LEVELS[rule.SEVERITY]},
            "properties": {"citation": rule.CITATION}}


def _location(finding: dict) -> dict:
    where = finding["where"]
    physical: dict = {"artifactLocation": {"uri": where["file"]}}
    if where.get("line"):
        physical["region"] = {"startLine": where["line"], "startColumn": max(1, where.get("column") or 1)}
    loc: dict = {"physicalLocation": physical}
    if finding.get("node"):
        loc["logicalLocations"] = [{"name": finding["node"], "kind": "object"}]
    return loc


def _result(f: dict, menu: dict, index: dict) -> dict:
    out = {"ruleId": f["rule"], "ruleIndex": index[f["rule"]], "level": LEVELS.get(f["severity"], "note"),
           "message": {"text": f"{f['message']}. Fix: {f['fix']}"},
           "locations": [_location(f)],
           "properties": {"pack": f["pack"], "citation": f["citation"], "evidence": f["evidence"],
                          "menu": menu.get("menu")}}
    if "baseline" in f:   # only with --baseline: new, unchanged, or absent (fixed since the baseline)
        out["baselineState"] = "absent" if f["baseline"] == "fixed" else f["baseline"]
    return out


def _notification(level: str, text: str, uri: str) -> dict:
    return {"level": level, "message": {"text": text},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]}


def sarif(doc: dict) -> dict:
    """SARIF for reports.envelope `doc`: input and internal errors are error notifications
    (the run did not succeed), files skipped as not menus are notes."""
    rules = all_rules()
    every = [(f, m) for m in doc["menus"] for f in m["findings"] + m.get("baseline", {}).get("fixed", [])]
    used = sorted({f["rule"] for f, _ in every if f["rule"] in rules})
    index = {rid: i for i, rid in enumerate(used)}
    out = [_result(f, m, index) for f, m in every if f["rule"] in index]
    notifications = [_notification("error", e["message"], e["file"]) for e in doc["errors"]]
    warnings = [_notification("warning", f"nothing checked: {m['not_checked']}", m["source"])
                for m in doc["menus"] if m.get("not_checked")]
    notes = [_notification("note", f"skipped: {s['reason']}", s["file"]) for s in doc["skipped"]]
    run = {"tool": {"driver": {"name": "ivr audit", "version": __version__,
                               "informationUri": "https://github.com/ivr-project/ivr",
                               "rules": [_rule(rules[rid]) for rid in used]}},
           "results": out,
           "invocations": [{"executionSuccessful": not notifications,
                            "toolExecutionNotifications": notifications + warnings + notes}]}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
