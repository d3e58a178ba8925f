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


def sarif(results: list[dict]) -> dict:
    rules = all_rules()
    used = sorted({f["rule"] for r in results for f in r.get("findings", [])})
    index = {rid: i for i, rid in enumerate(used)}
    out = []
    for r in results:
        for f in r.get("findings", []):
            out.append({"ruleId": f["rule"], "ruleIndex": index[f["rule"]], "level": LEVELS.get(f["severity"], "note"),
                        "message": {"text": f"{f['message']}. Fix: {f['fix']}"},
                        "locations": [_location(f)],
                        "properties": {"pack": f["pack"], "citation": f["citation"], "evidence": f["evidence"],
                                       "menu": r.get("menu")}})
    notifications = [{"level": "error", "message": {"text": r["error"]},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": r["source"]}}}]}
                     for r in results if "error" in r]
    warnings = [{"level": "warning", "message": {"text": f"nothing checked: {r['not_checked']}"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": r["source"]}}}]}
                for r in results if r.get("not_checked")]
    run = {"tool": {"driver": {"name": "ivr audit", "version": __version__,
                               "informationUri": "https://github.com/ivr-project/ivr",
                               "rules": [_rule(rules[rid]) for rid in used]}},
           "results": out,
           "invocations": [{"executionSuccessful": not notifications,
                            "toolExecutionNotifications": notifications + warnings}]}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
