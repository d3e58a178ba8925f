"""Dispatch rules: which local union gets a case, deadlines per step, and the
early-warning threshold. A YAML file (see menus/dispatch/12351-hotline.yaml);
built-in defaults when there is none."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from ..errors import IvrError, MenuError
from ..model import Where
from ..yaml_source import load_yaml
from .workflow import STATES

DEFAULT_DEADLINES_H = {"accepted": 24, "assigned": 48, "supervised": 120, "feedback": 240, "closed": 72}


@dataclass
class Rules:
    regions: dict[str, str] = field(default_factory=dict)   # region / area code -> union
    categories: dict[str, str] = field(default_factory=dict)  # category -> department
    default_union: str = "unassigned"
    deadlines_h: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_DEADLINES_H))
    warn_calls: int = 3                                      # this many orders about one employer…
    warn_window_days: float = 7.0                            # …within this window raise an alert
    source: str = "<built-in>"

    def union_for(self, region: Optional[str], category: str = "") -> str:
        union = self.regions.get(str(region).strip(), self.default_union) if region else self.default_union
        dept = self.categories.get(category)
        return f"{union} / {dept}" if dept else union


MAX_HOURS = 24 * 3650   # ten years: a deadline beyond is a typo, and datetime cannot add .inf
MAX_DAYS = 3650


def _positive(value, most: float) -> bool:
    """A real number in (0, most]: not a bool, not nan/inf."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= most


def rules_for_menu(menu_source: str, menu_id: str, config: dict) -> Rules:
    """The rules named in config (`orders: {rules: PATH}`), else
    `dispatch/<menu id>.yaml` beside the menu file, else the defaults."""
    configured = config.get("orders", {}).get("rules")
    if configured:
        return load_rules(configured)
    beside = Path(menu_source).parent / "dispatch" / f"{menu_id}.yaml"
    return load_rules(beside) if beside.is_file() else Rules()


def load_rules(path: str | Path) -> Rules:
    path = str(path)
    data, errors = load_yaml(path)
    if not isinstance(data, dict):
        raise IvrError("dispatch rules must be a mapping", "see menus/dispatch/12351-hotline.yaml",
                       Where(path, 1, 1))
    where = lambda key: data.key_where.get(key, Where(path, 1, 1))  # noqa: E731
    rules = Rules(source=path)
    for key, what, example in (("regions", "a region or area code to a union", '"010": 北京市总工会'),
                               ("categories", "a work-order category to a department", "wage_arrears: 劳动保障部")):
        value = data.get(key, {}) or {}
        if isinstance(value, dict):
            setattr(rules, key, {str(k): str(v) for k, v in value.items()})
        else:
            errors.append(IvrError(f"{key} must map {what}", f"write {example}", where(key)))
    rules.default_union = str(data.get("default_union", rules.default_union))
    deadlines = data.get("deadlines_h") or {}
    if not isinstance(deadlines, dict):
        errors.append(IvrError("deadlines_h must map a state to hours", "e.g. deadlines_h: {accepted: 24}",
                               where("deadlines_h")))
        deadlines = {}
    for state, hours in deadlines.items():
        if state not in STATES[1:] or not _positive(hours, MAX_HOURS):
            errors.append(IvrError(f"deadline {state}: {hours!r} is not valid",
                                   f"use a state of {', '.join(STATES[1:])} and hours > 0, at most {MAX_HOURS}",
                                   where("deadlines_h")))
        else:
            rules.deadlines_h[state] = float(hours)
    warn = data.get("early_warning") or {}
    warn = warn if isinstance(warn, dict) else {"calls": None}
    calls, window = warn.get("calls", rules.warn_calls), warn.get("window_days", rules.warn_window_days)
    if not isinstance(calls, int) or isinstance(calls, bool) or calls < 2 or not _positive(window, MAX_DAYS):
        errors.append(IvrError(f"early_warning needs calls >= 2 and window_days > 0 (at most {MAX_DAYS})",
                               "e.g. early_warning: {calls: 3, window_days: 7}", where("early_warning")))
    else:
        rules.warn_calls, rules.warn_window_days = calls, float(window)
    if errors:
        raise MenuError(errors)
    return rules
