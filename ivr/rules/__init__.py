"""Audit rules: one small module per rule, chosen and tuned by rule packs.

Each rule module (in the style of yamllint's rules) has:
  ID          the rule id findings carry, e.g. ``human-reachable``
  SEVERITY    default severity: ``error`` or ``warning``
  RATIONALE   why it matters to a caller (one or two sentences)
  CITATION    where it comes from: law / standard, article, date, status
              (``in force``, ``bill``, ``standard`` or ``guidance``)
  FIX         what to change in the menu
  DEFAULTS    the options and thresholds a pack may override; a pack's values
              are checked against their types (see _options.py, which also
              reads the optional NULLABLE and BOUNDS)
  check(menu, metrics, options) -> list[Finding]
and a docstring with a ``Passing example:`` and a ``Failing example:`` menu
(YAML, indented), which the tests load and check automatically.

A rule pack (``packs/<name>.yaml``) is data: which rules, with what options,
severity and citation (a pack may cite its own law for a shared rule).
Scope, also data: a pack's ``jurisdictions`` (used when the menu declares its
own), its ``languages`` (the fallback when the menu declares none); an entry's
``jurisdictions`` (e.g. one US state inside us-bills), ``sectors`` (only for
menus of those sectors) and ``except_sectors`` (for every other menu, also
one that does not say its sector).
"""
from __future__ import annotations

import difflib
import importlib
import pkgutil
import textwrap
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Any, Optional


from ..errors import IvrError
from ..model import SECTORS, Menu, Where
from ..yaml_source import load_yaml
from ._options import check_options

PACKS_DIR = Path(__file__).with_name("packs")
STATUSES = ("in force", "bill", "standard", "guidance")
SEVERITIES = ("error", "warning", "note")


@dataclass
class Finding:
    rule: str
    severity: str
    node: Optional[str]
    message: str
    fix: str
    citation: dict
    evidence: dict = field(default_factory=dict)   # caller's path, seconds, figures
    pack: str = ""
    why: str = ""                                  # the rule's rationale
    where: Where = field(default_factory=Where)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["where"] = {"file": self.where.file, "line": self.where.line, "column": self.where.column}
        return out


class Context:
    """What a check needs besides menu and metrics: its rule, options, and a
    helper that makes findings with the pack's severity and citation."""

    def __init__(self, rule: ModuleType, options: dict, severity: str, citation: dict, pack: str,
                 scope: Optional[dict] = None):
        self.rule, self.options, self.severity, self.citation, self.pack = rule, options, severity, citation, pack
        self.scope = scope or {}   # the entry's jurisdictions / sectors / except_sectors

    def applies(self, menu: Menu) -> bool:
        """Does this pack entry bind `menu` (its jurisdictions, its sector)?"""
        places = self.scope.get("jurisdictions")
        if places and menu.jurisdictions and not serves(menu, places):
            return False
        sectors = self.scope.get("sectors")
        if sectors and menu.sector not in sectors:
            return False
        return menu.sector not in (self.scope.get("except_sectors") or ())

    def __getitem__(self, name: str) -> Any:
        return self.options[name]

    def finding(self, menu: Menu, node: Optional[str], message: str, evidence: Optional[dict] = None,
                fix: str = "") -> Finding:
        where = menu.nodes[node].where if node in menu.nodes else menu.where
        return Finding(self.rule.ID, self.severity, node, message, fix or self.rule.FIX, self.citation,
                       evidence or {}, self.pack, self.rule.RATIONALE, where)


@lru_cache(maxsize=None)
def all_rules() -> dict[str, ModuleType]:
    """Rule id -> module, for every rule module in this package."""
    out = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_") or info.ispkg:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        out[module.ID] = module
    return out


def examples(rule: ModuleType) -> dict[str, str]:
    """The 'Passing example:' and 'Failing example:' YAML blocks of a rule's docstring."""
    found: dict[str, str] = {}
    lines = (rule.__doc__ or "").splitlines()
    for i, line in enumerate(lines):
        label = line.strip().lower()
        for kind in ("passing", "failing"):
            if label.startswith(f"{kind} example"):
                block = []
                for follow in lines[i + 1:]:
                    if follow.strip() and not follow.startswith(" "):
                        break
                    block.append(follow)
                found[kind] = textwrap.dedent("\n".join(block)).strip() + "\n"
    return found


def pack_names() -> list[str]:
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))


@lru_cache(maxsize=None)
def load_pack(name: str) -> dict:
    """A rule pack by name (or a path to a pack file), checked against the rules."""
    path = Path(name) if name.endswith((".yaml", ".yml")) else PACKS_DIR / f"{name}.yaml"
    if not path.is_file():
        close = difflib.get_close_matches(name, pack_names() + sorted(all_rules()), n=1)
        hint = (f"did you mean {close[0]!r}? (a rule id belongs in a pack file) " if close and close[0] in all_rules()
                else f"did you mean {close[0]!r}? " if close else "")
        raise IvrError(f"unknown rule pack {name!r}", f"{hint}use one of: {', '.join(pack_names())}, "
                       "or a path to a pack .yaml file")
    data, duplicates = load_yaml(path)  # safe, size-limited; every entry knows its line
    if duplicates:
        raise duplicates[0]
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise IvrError("a rule pack needs a 'rules' list", "see ivr/rules/packs/ivr-core.yaml",
                       getattr(data, "where", Where(str(path), 1, 1)))
    rules = all_rules()
    for entry in data["rules"]:
        where = getattr(entry, "where", data["rules"].where)
        rid = entry.get("id") if isinstance(entry, dict) else None
        if rid not in rules:
            close = difflib.get_close_matches(str(rid), sorted(rules), n=1)
            raise IvrError(f"rule pack names unknown rule {rid!r}",
                           (f"did you mean {close[0]!r}? " if close else "") + f"use one of: {', '.join(sorted(rules))}",
                           where)
        check_options(rules[rid], entry.get("options", {}), where)
        if not isinstance(entry.get("citation", {}), dict):
            raise IvrError(f"rule {rid!r}: citation must be a mapping (law, article, date, status)",
                           "see ivr/rules/packs/es.yaml", where)
        if entry.get("severity", rules[rid].SEVERITY) not in SEVERITIES:
            raise IvrError(f"rule {rid!r}: severity must be one of {SEVERITIES}", "fix the pack", where)
        for key in SCOPE_KEYS:
            _check_scope(entry.get(key), f"rule {rid!r}: {key}", key.endswith("sectors"), where)
    for key in ("jurisdictions", "languages"):
        _check_scope(data.get(key), key, False, getattr(data, "where", Where(str(path), 1, 1)))
    data.setdefault("name", path.stem)
    return data


SCOPE_KEYS = ("jurisdictions", "sectors", "except_sectors")


def _check_scope(value: Any, what: str, sectors: bool, where: Where) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IvrError(f"{what} must be a list of strings", "e.g. [cn] or [carrier]", where)
    wrong = [v for v in value if sectors and v not in SECTORS]
    if wrong:
        raise IvrError(f"{what}: unknown sector(s) {wrong}", f"use: {', '.join(SECTORS)}", where)


def speaks(menu: Menu, languages: list) -> bool:
    """Is the menu spoken in one of `languages` (by primary subtag; empty: every menu)?"""
    if not languages:
        return True
    spoken = {lang.split("-")[0].lower() for lang in [menu.language, *menu.languages]}
    return bool(spoken & {lang.lower() for lang in languages})


# Places a jurisdiction code covers besides itself: "us" covers "us-ia", and
# the EU covers its member states (so Spain's lines get the EU AI Act too).
EU_MEMBERS = ("at", "be", "bg", "hr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "gr", "hu", "ie", "it", "lv",
              "lt", "lu", "mt", "nl", "pl", "pt", "ro", "sk", "si", "es", "se")


def covers(scope: str, place: str) -> bool:
    """Does a pack's jurisdiction `scope` include callers in the menu's `place`?
    A state is in its country, a member state in the EU; and a line serving a
    whole country (or the EU) serves every state (member state) in it."""
    scope, place = scope.lower(), place.lower()
    country, scope_country = place.split("-")[0], scope.split("-")[0]
    return (place == scope or country == scope or place == scope_country
            or (scope == "eu" and country in EU_MEMBERS) or (place == "eu" and scope_country in EU_MEMBERS))


def serves(menu: Menu, scopes: list) -> bool:
    """Does the menu serve callers in one of `scopes` (by its declared jurisdictions)?"""
    return any(covers(scope, place) for scope in scopes for place in menu.jurisdictions)


def pack_applies(pack: dict, menu: Menu) -> bool:
    """By jurisdiction when the menu declares where it serves callers (a pack
    without jurisdictions applies everywhere); otherwise by language, the
    documented fallback (e.g. China's rules for menus spoken in Chinese)."""
    if menu.jurisdictions and pack.get("jurisdictions"):
        return serves(menu, pack["jurisdictions"])
    if menu.jurisdictions:
        return True
    if pack.get("languages") == [] and pack.get("jurisdictions"):
        return False   # no language stands for this jurisdiction: only a declared one applies it
    return speaks(menu, pack.get("languages") or [])


def scope_text(pack: dict, menu: Menu) -> str:
    """What a pack applies to, in the terms the menu was judged by."""
    if menu.jurisdictions and pack.get("jurisdictions"):
        return "jurisdictions " + ", ".join(pack["jurisdictions"])
    if pack.get("languages") == [] and pack.get("jurisdictions"):
        return "menus that declare jurisdictions " + ", ".join(pack["jurisdictions"])
    return ", ".join(pack.get("languages") or [])


def contexts(pack: dict) -> list[Context]:
    rules = all_rules()
    out = []
    for entry in pack["rules"]:
        rule = rules[entry["id"]]
        options = {**rule.DEFAULTS, **entry.get("options", {})}
        out.append(Context(rule, options, entry.get("severity", rule.SEVERITY),
                           {**rule.CITATION, **entry.get("citation", {})}, pack["name"],
                           {k: entry[k] for k in SCOPE_KEYS if entry.get(k)}))
    return out


def run_rule(rule: ModuleType, menu: Menu, metrics: Any, options: Optional[dict] = None,
             pack: str = "") -> list[Finding]:
    """One rule with its defaults overlaid by `options`."""
    ctx = Context(rule, {**rule.DEFAULTS, **(options or {})}, rule.SEVERITY, dict(rule.CITATION), pack)
    return rule.check(menu, metrics, ctx)


def example_menu(text: str, file: str = "<example>") -> Menu:
    """A menu from a docstring example, without the loader's semantic checks
    (a failing example may be exactly what those checks reject, e.g. a loop)."""
    from ..loader import build_menu
    from ..yaml_source import parse_yaml
    data, _ = parse_yaml(text, file)
    return build_menu(data, file)
