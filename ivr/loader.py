"""YAML menu file -> ivr.model.Menu, with every problem reported at file:line:col.

Three passes, each a well-kept tool or a short function:
1. ivr.yaml_source: safe YAML with positions, duplicate keys, size/alias limits;
2. ivr.schemas: ivr/schema/menu.schema.json, the shape of the file (jsonschema's errors);
3. ivr.validate: what a schema cannot say (targets, reachability, loops, ...).
"""
from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any, Optional

from .errors import IvrError, MenuError
from .matching import tidy
from .model import Command, Menu, Node, Option, Policy, Queue, Where
from .schemas import schema_errors
from .yaml_source import MarkedDict, MarkedList, load_yaml, parse_yaml


def _where_of(data: Any, path: list, file: str) -> Where:
    """The place of the value at `path` (keys/indices) inside marked data."""
    where = getattr(data, "where", Where(file, 1, 1))
    node = data
    for step in path:
        if isinstance(node, MarkedDict) and step in node:
            where, node = node.key_where.get(step, where), node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node):
            where, node = node.item_where[step], node[step]
        else:
            break
    return where


def _schema_error(err, data: Any, file: str) -> IvrError:
    path = list(err.absolute_path)
    place = ".".join(str(p) for p in path) or "the top level"
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = sorted(err.schema.get("properties", {}))
        extra = [k for k in err.instance if k not in allowed]
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(str(key), allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed here: {', '.join(allowed)}"
        return IvrError(f"unknown field {key!r} in {place}", f"remove it or fix the spelling — {hint}",
                        _where_of(data, path + [key], file), "unknown-field")
    if err.validator == "required":
        return IvrError(f"{place}: {err.message}", "add the missing field",
                        _where_of(data, path, file), "missing-field")
    if err.validator == "enum":
        choices = ", ".join(map(str, err.validator_value))
        return IvrError(f"{place}: {err.instance!r} is not allowed", f"use one of: {choices}",
                        _where_of(data, path, file), "bad-value")
    if err.validator == "pattern" and "target" in str(err.schema.get("description", "")):
        return IvrError(f"{place}: {err.instance!r} is not a valid target",
                        "use a node id or @start, @repeat, @back, @human, @hangup",
                        _where_of(data, path, file), "bad-value")
    fix = err.schema.get("description") or "see the menu format in README.md or ivr/schema/menu.schema.json"
    return IvrError(f"{place}: {err.message}", fix, _where_of(data, path, file), "bad-value")


def _coerce_keys(data: Any) -> None:
    """`key: 1` in YAML is an int; a DTMF key is the string "1"."""
    if isinstance(data, dict):
        for name, value in data.items():
            if name == "key" and isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9:
                data[name] = str(value)
            else:
                _coerce_keys(value)
    elif isinstance(data, list):
        for item in data:
            _coerce_keys(item)


def _policy(raw: Optional[dict], default: Policy) -> Policy:
    if raw is None:
        return Policy(default.retries, default.then, default.where)
    return Policy(raw.get("retries", default.retries), raw.get("then", default.then),
                  getattr(raw, "where", default.where))


def _queue(raw: Optional[dict]) -> Optional[Queue]:
    if raw is None:
        return None
    fields = dict(raw)
    fields["skills"] = list(fields.get("skills", []))
    return Queue(**fields)


def _node(node_id: str, raw: MarkedDict, defaults: dict, where: Where, timeout_s: float) -> Node:
    default_policy = Policy(2, "@human", where)
    no_input = _policy(defaults.get("no_input"), default_policy)
    no_match = _policy(defaults.get("no_match"), default_policy)
    options = [Option(target=o["to"], key=o.get("key"), phrases=list(o.get("say", [])),
                      label=o.get("label", ""), weight=float(o.get("weight", 1.0)), where=w)
               for o, w in zip(raw.get("options", []), getattr(raw.get("options"), "item_where", []))]
    digits = raw.get("digits", [1, 20])
    return Node(
        id=node_id, kind=raw["kind"], prompt=tidy(raw.get("prompt", "")), options=options,
        next=raw.get("next"), barge_in=raw.get("barge_in", defaults.get("barge_in", True)),
        timeout_s=float(raw.get("timeout_s", defaults.get("timeout_s", timeout_s))),
        no_input=_policy(raw.get("no_input"), no_input), no_match=_policy(raw.get("no_match"), no_match),
        duration_s=raw.get("duration_s"), advert=raw.get("advert", False), queue=_queue(raw.get("queue")),
        answer=tidy(raw.get("answer", "")), source=raw.get("source", ""),
        knowledge_base=raw.get("knowledge_base", ""), input_name=raw.get("name", ""),
        input_digits=(digits[0], digits[1]), input_mode=raw.get("mode", "digits"), category=raw.get("category", ""),
        globals_off=list(raw.get("globals_off", [])), note=raw.get("note", ""), where=where)


def build_menu(data: MarkedDict, file: str, config: Optional[dict] = None) -> Menu:
    """A schema-valid document -> Menu (no semantic checks). What the menu
    leaves out (its language, a node's timeout) comes from config.yaml."""
    from .config import DEFAULTS  # config reads its file with this module's helpers

    config = config or DEFAULTS
    timeout_s = float(config.get("timeouts", {}).get("default_s", DEFAULTS["timeouts"]["default_s"]))
    defaults = data.get("defaults", {})
    nodes_raw = data["nodes"]
    nodes = {nid: _node(nid, raw, defaults, nodes_raw.key_where[nid], timeout_s) for nid, raw in nodes_raw.items()}
    commands_raw = data.get("commands", {})
    commands = {name: Command(name, c.get("key"), list(c.get("say", [])), c.get("to", ""),
                              commands_raw.key_where[name])
                for name, c in commands_raw.items()}
    routes = [dict(r, where=w) for r, w in zip(data.get("priority_routes", []),
                                               getattr(data.get("priority_routes"), "item_where", []))]
    return Menu(id=data["id"], title=data["title"], language=data.get("language", config.get("language", "en")),
                start=data["start"], nodes=nodes, commands=commands, priority_routes=routes,
                languages=list(data.get("languages", [])), operator=data.get("operator", ""),
                sector=data.get("sector", ""), jurisdictions=list(data.get("jurisdictions", [])),
                number_type=data.get("number_type", ""), voice=data.get("voice", ""),
                source=file, where=data.where, guard=dict(data.get("guard") or {}))


def menu_from_data(data: Any, duplicates: list[IvrError], file: str, config: Optional[dict] = None) -> Menu:
    """Parsed YAML -> validated Menu; raises MenuError with every problem found."""
    from .validate import check_menu  # validate imports the model only; avoids a cycle

    if not isinstance(data, MarkedDict):
        raise MenuError([IvrError("a menu file must be a YAML mapping with id, title, start and nodes",
                                  "see menus/consumer-service.yaml for an example",
                                  getattr(data, "where", Where(file, 1, 1)), "not-a-menu")])
    _coerce_keys(data)
    errors = list(duplicates)
    errors += [_schema_error(e, data, file)
               for e in sorted(schema_errors("menu", data), key=lambda e: list(map(str, e.absolute_path)))]
    if errors:   # check what is well-formed too, so that one run shows every problem (as yamllint and ruff do)
        from .partial import partial_problems
        raise MenuError(_sorted(errors + partial_problems(data, file, config)))
    menu = build_menu(data, file, config)
    problems = check_menu(menu)
    if problems:
        raise MenuError(_sorted(problems))
    return menu


def _sorted(errors: list[IvrError]) -> list[IvrError]:
    return sorted(errors, key=lambda e: (e.where.line if e.where else 0, e.where.column if e.where else 0))


def load_menu(path: str | Path, config: Optional[dict] = None) -> Menu:
    """Load and validate a YAML menu file (`config` fills in what the menu
    leaves out; default: the built-in defaults). Raises MenuError (an IvrError)."""
    try:
        data, duplicates = load_yaml(path)
    except IvrError as err:
        raise MenuError([err]) from None
    return menu_from_data(data, duplicates, str(path), config)


def load_menu_text(text: str, file: str = "<string>", config: Optional[dict] = None) -> Menu:
    """Like load_menu, for YAML text (tests, fuzzing, stdin)."""
    try:
        data, duplicates = parse_yaml(text, file)
    except IvrError as err:
        raise MenuError([err]) from None
    return menu_from_data(data, duplicates, file, config)
