"""`ivr audit --explain RULE`: a rule's rationale, what it checks, its thresholds
in each pack, the citation each pack gives and the fix — all read from the
rule module and the pack files, so the text cannot drift from what runs."""
from __future__ import annotations

import json

from ..errors import IvrError
from . import SCOPE_KEYS, all_rules, load_pack, pack_names


def _cite(c: dict) -> str:
    parts = [c.get("law", ""), c.get("article", "")]
    text = ", ".join(p for p in parts if p)
    if c.get("date"):
        text += f" ({c['date']})"
    return f"{text} [{c.get('status', '?')}]"


def explain(rule_id: str) -> str:
    rules = all_rules()
    rule = rules.get(rule_id)
    if rule is None:
        raise IvrError(f"unknown rule {rule_id!r}", f"use one of: {', '.join(sorted(rules))}")
    doc = (rule.__doc__ or "").split("Passing example:")[0].strip()
    lines = [f"{rule.ID} (default severity {rule.SEVERITY})", "", doc, "", f"Why: {rule.RATIONALE}", "",
             f"Defaults: {json.dumps(rule.DEFAULTS, ensure_ascii=False)}", f"Own citation: {_cite(rule.CITATION)}",
             "", "In the packs:"]
    used = False
    for name in pack_names():
        pack = load_pack(name)
        scope = ", ".join(f"{k} {', '.join(pack[k])}" for k in ("jurisdictions", "languages") if pack.get(k))
        for entry in pack["rules"]:
            if entry["id"] != rule.ID:
                continue
            used = True
            options = {**rule.DEFAULTS, **entry.get("options", {})}
            label = {"jurisdictions": "only for jurisdictions", "sectors": "only for sectors",
                     "except_sectors": "not for sectors"}
            where = "; ".join(f"{label[k]} {', '.join(entry[k])}" for k in SCOPE_KEYS if entry.get(k))
            lines += [f"  {name} ({entry.get('severity', rule.SEVERITY)}"
                      f"{'; pack applies to ' + scope if scope else '; every menu'}{'; ' + where if where else ''})",
                      f"    thresholds: {json.dumps(options, ensure_ascii=False)}",
                      f"    citation: {_cite({**rule.CITATION, **entry.get('citation', {})})}"]
    if not used:
        lines.append("  (no bundled pack uses it)")
    lines += ["", f"Fix: {rule.FIX}", "", "Sources and the date each claim was checked: docs/audit.md"]
    return "\n".join(lines) + "\n"
