"""Checks a pack's `options:` for one rule against the rule's DEFAULTS, once for every rule.

The type of each default says what a pack may give: a number where the
default is a number (true/false is not a number; a whole number where the
default is whole, except seconds: options named ``..._s``), a string, a list of what the default list holds, a
mapping of what the default mapping holds. Numbers are >= 0 (they are counts,
seconds and shares), ``limit`` (how many findings to list) is >= 1, and an
option called ``pattern`` must be a valid regular expression. A rule module
may declare more:
  NULLABLE  options a pack may set to null (the rule then skips that check)
  BOUNDS    {option: (lowest, highest)} for numbers with other limits
"""
from __future__ import annotations

import json
import math
import re
from types import ModuleType
from typing import Any, Optional

from ..errors import IvrError
from ..model import Where

COMMON_BOUNDS = {"limit": (1, None)}


def _whole(name: str, default: Any) -> bool:
    """Counts are whole numbers; seconds (`..._s`) and shares need not be."""
    return isinstance(default, int) and not name.endswith("_s")


def _describe(default: Any, name: str = "") -> str:
    if isinstance(default, bool):
        return "true or false"
    if isinstance(default, (int, float)):
        return "a whole number" if _whole(name, default) else "a number"
    if isinstance(default, str):
        return "a string"
    if isinstance(default, list):
        return "a list" + (f" (each item {_describe(default[0])})" if default else "")
    if isinstance(default, dict):
        sample = next(iter(default.values()), None)
        return "a mapping" + (f" (each value {_describe(sample)})" if sample is not None else "")
    return type(default).__name__


def _fits(value: Any, default: Any, name: str = "") -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return False
        return isinstance(value, int) or not _whole(name, default)
    if isinstance(default, (list, dict)) and not isinstance(value, type(default)):
        return False
    if isinstance(default, list):
        return not default or all(_fits(v, default[0]) for v in value)
    if isinstance(default, dict):
        sample = next(iter(default.values()), None)
        return all(isinstance(k, str) and (sample is None or _fits(v, sample)) for k, v in value.items())
    return isinstance(value, type(default))


def _problem(rule: ModuleType, name: str, value: Any) -> Optional[str]:
    """What is wrong with `value` for option `name` of `rule`, or None."""
    default = rule.DEFAULTS[name]
    if value is None:
        return None if name in getattr(rule, "NULLABLE", ()) else f"must be {_describe(default, name)}"
    if not _fits(value, default, name):
        return f"must be {_describe(default, name)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = {**COMMON_BOUNDS, **getattr(rule, "BOUNDS", {})}.get(name, (0, None))
        if value < low or (high is not None and value > high):
            return f"must be >= {low}" + (f" and <= {high}" if high is not None else "")
    if name == "pattern":
        try:
            re.compile(value)
        except re.error as err:
            return f"is not a valid regular expression ({err})"
    return None


def check_options(rule: ModuleType, options: Any, where: Where) -> None:
    """Raise a clean IvrError at the option's file:line:col for an unknown or wrongly typed option."""
    if not isinstance(options, dict):
        raise IvrError(f"rule {rule.ID!r}: options must be a mapping, e.g. options: {{max_depth: 3}}",
                       f"its options are {sorted(rule.DEFAULTS)}", getattr(options, "where", where))
    unknown = set(options) - set(rule.DEFAULTS)
    if unknown:
        raise IvrError(f"rule {rule.ID!r} has no option(s) {sorted(unknown, key=str)}",
                       f"its options are {sorted(rule.DEFAULTS)}", where)
    for name, value in options.items():
        problem = _problem(rule, name, value)
        if problem:
            default = json.dumps(rule.DEFAULTS[name], ensure_ascii=False)
            null_ok = " (or null to skip this check)" if name in getattr(rule, "NULLABLE", ()) else ""
            raise IvrError(f"rule {rule.ID!r}: option {name} {problem}, not "
                           f"{json.dumps(value, ensure_ascii=False, default=str)}",
                           f"write e.g. {name}: {default} (the rule's default){null_ok}",
                           getattr(options, "key_where", {}).get(name, where))
