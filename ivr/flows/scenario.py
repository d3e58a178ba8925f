"""Scenario files: a menu, the caller's steps and what to expect.

Loading is three passes, like menus: safe YAML with positions
(ivr.yaml_source), the JSON Schema ivr/schema/scenario.schema.json, then the
checks a schema cannot make (the menu exists and loads; every node, route,
input name and work-order category named is in that menu). Every problem is
an IvrError at file:line:col; `ivr test` exits 2 on them.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


from ..config import load_config
from ..errors import IvrError, MenuError
from ..loader import _schema_error, _where_of
from ..schemas import bundled_schema, schema_errors
from ..model import Menu, Where
from ..sources import open_menu
from ..yaml_source import MarkedDict, load_yaml

SCENARIO_SUFFIXES = (".yaml", ".yml")


@dataclass
class Step:
    """One caller action or expectation. `verb` is press, say, wait, hangup,
    hear or expect; `arg` its value as written (normalised for press/say)."""
    verb: str
    arg: Any
    where: Where
    early: bool = False


@dataclass
class Scenario:
    name: str
    file: str
    menu_path: str
    steps: list[Step]
    expect: Optional[dict] = None
    expect_where: Optional[Where] = None
    route: Optional[str] = None
    config_path: Optional[str] = None
    where: Where = field(default_factory=Where)


def scenario_schema() -> dict:
    return bundled_schema("scenario")


def find_scenario_files(paths: list[str]) -> list[Path]:
    """Scenario files among `paths` (directories are searched recursively)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in SCENARIO_SUFFIXES and p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise IvrError(f"{raw}: no such file or directory", "give scenario files or folders",
                           Where(raw, 0, 0), "unreadable")
    if not files:
        raise IvrError("no scenario files (*.yaml) found", f"check the paths: {' '.join(paths)}",
                       Where(paths[0] if paths else "<args>", 0, 0), "no-scenarios")
    return files


def _step(raw: Any, where: Where) -> Step:
    """A schema-valid step -> Step."""
    if raw == "hangup":
        return Step("hangup", True, where)
    verb, value = next(iter(raw.items()))
    if verb == "press":
        keys = value.get("keys") if isinstance(value, dict) else value
        early = bool(value.get("early", False)) if isinstance(value, dict) else False
        return Step("press", str(keys), where, early)
    if verb == "say":
        spoken = dict(value) if isinstance(value, dict) else {"text": value}
        return Step("say", spoken, where, bool(spoken.pop("early", False)))
    return Step(verb, value, where)


def _relative(base: Path, name: str) -> str:
    """A path written in a scenario: relative to the scenario file."""
    return os.path.normpath(base.parent / name)


def _check_schema(data: Any, file: str) -> None:
    if not isinstance(data, MarkedDict):
        raise IvrError("a scenario file must be a YAML mapping with `menu` and `steps` (or `scenarios`)",
                       "see docs/flows.md for an example", getattr(data, "where", Where(file, 1, 1)),
                       "not-a-scenario")
    if "nodes" in data and "steps" not in data and "scenarios" not in data:
        raise IvrError("this is a menu, not a scenario file",
                       "name it in a scenario's `menu:`, or pin its paths: ivr test --generate MENU -o DIR",
                       data.where, "not-a-scenario")
    if "steps" not in data and "scenarios" not in data:
        raise IvrError("a scenario file needs `steps` (one scenario) or `scenarios` (a list of them)",
                       "see docs/flows.md for an example", data.where, "not-a-scenario")
    errors = schema_errors("scenario", data)
    if errors:
        from jsonschema.exceptions import best_match
        errors = [_scenario_error(best_match([e]), data, file) for e in errors]
    if errors:
        raise MenuError(sorted(errors, key=lambda e: (e.where.line, e.where.column)))


def _scenario_error(err, data: Any, file: str) -> IvrError:
    """The loader's schema message, with fixes that speak of scenarios."""
    out = _schema_error(err, data, file)
    path = list(err.absolute_path)
    if len(path) >= 2 and path[-2] == "steps" and err.validator in ("oneOf", "anyOf"):
        out.problem = f"step {path[-1] + 1} is not one caller step: {err.instance!r}"
        out.fix = "write one key per step: press, say, wait, hangup, hear or expect (see docs/flows.md)"
    elif out.fix.startswith("see the menu format"):
        out.fix = "see docs/flows.md or ivr/schema/scenario.schema.json"
    return out


def _check_against_menu(scenario: Scenario, menu: Menu, raw: MarkedDict, path: list) -> None:
    """Names the schema cannot check: they must exist in this menu."""
    file = scenario.file
    known = {
        "node": set(menu.nodes),
        "route": {r["name"] for r in menu.priority_routes},
        "input": {n.input_name or n.id for n in menu.nodes.values() if n.kind == "input"},
        "category": {n.category for n in menu.nodes.values() if n.kind == "work_order"},
    }

    def need(kind: str, name: Any, at: list) -> None:
        if str(name) not in known[kind]:
            close = difflib.get_close_matches(str(name), known[kind], n=1)
            fix = f"did you mean {close[0]!r}?" if close else f"use one of: {', '.join(sorted(known[kind])) or 'none'}"
            raise IvrError(f"unknown {kind} {name!r}: menu {menu.id!r} ({scenario.menu_path}) has no such {kind}", fix, _where_of(raw, path + at, file), f"unknown-{kind}")

    if scenario.route:
        need("route", scenario.route, ["route"])
    expects = [(["expect"], scenario.expect)] if scenario.expect else []
    expects += [(["steps", i, "expect"], s.arg) for i, s in enumerate(scenario.steps) if s.verb == "expect"]
    for at, expect in expects:
        if "node" in expect:
            need("node", expect["node"], at + ["node"])
        for key in ("path", "visits", "avoids"):
            for i, node in enumerate(expect.get(key, [])):
                need("node", node, at + [key, i])
        for name in expect.get("collected", {}):
            need("input", name, at + ["collected", name])
        order = expect.get("work_order", {})
        if "category" in order:
            need("category", order["category"], at + ["work_order", "category"])
        for name in order.get("facts", {}):
            need("input", name, at + ["work_order", "facts", name])
    for i, step in enumerate(scenario.steps):
        if step.verb == "say" and "audio" in step.arg:
            step.arg["audio"] = _relative(Path(file), step.arg["audio"])
            if not Path(step.arg["audio"]).is_file():
                raise IvrError(f"audio file {step.arg['audio']} not found", "give a WAV file relative to the scenario",
                               _where_of(raw, path + ["steps", i, "say", "audio"], file), "unreadable")


def scenario_config(config_path: Optional[str], cache: dict) -> dict:
    """The config a scenario file names, read once per process (shared by its menu and its calls)."""
    key = ("config", config_path)
    if key not in cache:
        cache[key] = load_config(config_path)
    return cache[key]


def load_scenarios(path: str | Path, cache: Optional[dict] = None,
                   default_config: Optional[str] = None) -> tuple[list[Scenario], Menu]:
    """The scenarios in one file, checked against their menu, and the menu.
    `cache` keeps loaded menus across files (reloaded when a file changes);
    `default_config` serves a file that names no `config:` (else ./config.yaml)."""
    file = str(path)
    cache = {} if cache is None else cache
    data, duplicates = load_yaml(path)
    if duplicates:
        raise MenuError(duplicates)
    _check_schema(data, file)
    menu_path = _relative(Path(file), data["menu"])
    config_path = _relative(Path(file), data["config"]) if "config" in data else default_config
    if not Path(menu_path).is_file():
        raise IvrError(f"menu file {menu_path} not found", "give `menu:` relative to the scenario file",
                       _where_of(data, ["menu"], file), "unknown-menu")
    config = scenario_config(config_path, cache)  # a bad config is an input error here, before any call
    stat = Path(menu_path).stat()
    stamp = (menu_path, config_path, stat.st_mtime_ns, stat.st_size)
    if stamp not in cache:
        cache[stamp] = open_menu(menu_path, config=config)
    menu = cache[stamp]
    if "scenarios" in data:
        entries = [(item, ["scenarios", i], item.get("name")) for i, item in enumerate(data["scenarios"])]
    else:
        entries = [(data, [], data.get("name", Path(file).stem))]
    out = []
    for raw, at, name in entries:
        steps_raw = raw.get("steps", [])
        steps = [_step(s, w) for s, w in zip(steps_raw, getattr(steps_raw, "item_where", []))]
        scenario = Scenario(name=name, file=file, menu_path=menu_path, steps=steps, expect=raw.get("expect"),
                            expect_where=_where_of(data, at + ["expect"], file) if "expect" in raw else None,
                            route=raw.get("route"), config_path=config_path,
                            where=_where_of(data, at, file) if at else Where(file, 1, 1))
        _check_against_menu(scenario, menu, data, at)
        out.append(scenario)
    return out, menu
