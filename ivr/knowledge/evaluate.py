"""Match accuracy of a knowledge base on a set of paraphrased questions.

A case file is a YAML list of {text, expect}; expect is an entry id, or
"@human" when the caller should be put through to a person.
"""
from __future__ import annotations

from ..errors import IvrError
from ..model import Where
from ..yaml_source import load_yaml
from .match import Matcher


def evaluate(m: Matcher, cases_path: str) -> dict:
    cases, problems = load_yaml(cases_path)
    if problems:
        raise problems[0]
    if not isinstance(cases, list) or not all(isinstance(c, dict) and "text" in c and "expect" in c
                                              for c in cases):
        raise IvrError("a case file is a list of {text: ..., expect: entry-id or \"@human\"}",
                       "see tests/data/knowledge/12351-heldout.yaml", Where(cases_path, 1, 1))
    ids = {e.id for e in m.kb.entries} | {"@human"}
    rows, correct, wrong_answers, handoffs = [], 0, 0, 0
    for case, where in zip(cases, cases.item_where):
        if str(case["expect"]) not in ids:
            raise IvrError(f"case expects unknown entry {case['expect']!r}",
                           "use an entry id of the knowledge base or \"@human\"", where)
        result = m.match(str(case["text"]))
        got = result.entry.id if result.entry else "@human"
        ok = got == case["expect"]
        correct += ok
        wrong_answers += (not ok) and result.entry is not None
        handoffs += (not ok) and result.entry is None
        rows.append({"text": case["text"], "expect": case["expect"], "got": got,
                     "confidence": round(result.confidence, 3), "ok": ok})
    n = len(rows)
    return {"cases": n, "correct": correct, "accuracy": round(correct / n, 4) if n else 0.0,
            "wrong_answers": wrong_answers, "missed_to_human": handoffs,
            "min_confidence": m.min_confidence, "results": rows}
