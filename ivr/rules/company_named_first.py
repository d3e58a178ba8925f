"""company-named-first: the first prompt names the company that runs the line.

Needs the menu's `operator` (the name callers know the company by); a menu
that does not declare it is not checked. The name counts when the first
prompt contains it, or its first word of four letters or more (a brand:
"Northwind" for "Northwind Energy"); legal suffixes (Inc., S.A., 有限公司)
are ignored.

Passing example:

    id: ok
    title: Named up front
    operator: Northwind Energy
    start: main
    nodes:
      main:
        kind: menu
        prompt: Northwind Energy. For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: anonymous
    title: Who is this?
    operator: Northwind Energy
    start: main
    nodes:
      main:
        kind: menu
        prompt: Welcome. For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import re

from ..matching import normalise
from ._common import unsaid_up_front

ID = "company-named-first"
SEVERITY = "error"
RATIONALE = ("A caller must know whom they are dealing with before they give details or agree to anything; "
             "an anonymous line hides who is responsible.")
CITATION = {"law": "消费者权益保护法实施条例 (State Council Decree No. 778)", "article": "art. 13: a business "
            "states its real name and mark (read here as: the first prompt names the company)",
            "date": "2024-03 (in force 2024-07-01)", "status": "in force"}
FIX = "Start the first prompt with the company's name: 'Northwind Energy. …' / '您好，这里是××公司客服热线。'"
DEFAULTS = {"within_prompts": 1}
BOUNDS = {"within_prompts": (1, None)}
_SUFFIX = re.compile(r"(股份有限公司|有限责任公司|有限公司|集团|\b(inc|ltd|llc|plc|s ?a|s ?l|gmbh|co|corp)\b)\s*$")


def _names(operator: str) -> list[str]:
    name = normalise(operator)
    for _ in range(2):
        name = _SUFFIX.sub("", name).strip()
    first = name.split(" ")[0] if " " in name else ""
    return [n for n in (name, first if len(first) >= 4 else "") if n]


def check(menu, metrics, ctx):
    if not menu.operator:
        return []
    names = _names(menu.operator)
    missed = unsaid_up_front(menu, ctx["within_prompts"], lambda text: any(n in normalise(text) for n in names))
    if missed is None:
        return []
    first, heard = missed
    return [ctx.finding(menu, first, f"the first prompt ({first!r}) does not name the operator "
                        f"{menu.operator!r}", {"path": heard, "operator": menu.operator})]
