"""The semantic checks of a menu the schema refused, on its well-formed parts,
so that `ivr validate` reports every problem in one run (as yamllint and ruff
do) instead of the schema errors first and the rest in a later run."""
from __future__ import annotations

from typing import Any, Optional


from .errors import IvrError
from .loader import build_menu
from .schemas import validator
from .yaml_source import MarkedDict, MarkedList


def _marked(data: Any, items: Any) -> Any:
    """A copy of the marked mapping `data` holding `items`, keeping the places of `data`."""
    out = MarkedDict(items)
    out.where, out.key_where = data.where, data.key_where
    return out


def _repair_node(raw: Any, errors: list) -> Any:
    """The node without the fields (or option items) the schema refused; a node
    whose kind is broken becomes a placeholder that only keeps its id."""
    errors = [(list(e.absolute_path) + extra, e) for extra, e in errors]
    if not isinstance(raw, MarkedDict) or any(len(p) < 3 and e.validator != "additionalProperties"
                                              or len(p) >= 3 and p[2] == "kind" for p, e in errors):
        return {"kind": "human" if isinstance(raw, dict) and raw.get("kind") == "human" else "unknown"}
    drop_fields = {p[2] for p, _ in errors if len(p) >= 3 and not (p[2] == "options" and len(p) >= 4)}
    drop_fields |= {k for p, e in errors if len(p) == 2 and isinstance(e.instance, dict)
                    for k in e.instance if k not in e.schema.get("properties", {})}
    drop_options = {p[3] for p, _ in errors if len(p) >= 4 and p[2] == "options"}
    node = _marked(raw, {k: v for k, v in raw.items() if k not in drop_fields})
    if drop_options and isinstance(raw.get("options"), MarkedList):
        opts = raw["options"]
        kept = MarkedList(o for i, o in enumerate(opts) if i not in drop_options)
        kept.where, kept.item_where = opts.where, [w for i, w in enumerate(opts.item_where) if i not in drop_options]
        node["options"] = kept
    return node


def partial_problems(data: MarkedDict, file: str, config: Optional[dict] = None) -> list[IvrError]:
    """Semantic problems of the parts of a schema-invalid menu that are well-formed.

    Fields and option items the schema refused are left out of their node (a
    node whose kind is broken stays as a placeholder, so links to it are not
    reported as unknown targets), broken commands and routes are left out, and
    the rest is checked as usual — except reachability, which would only
    repeat the damage of what was left out. Nothing to check (no usable
    `nodes`, a broken `start`) or anything unexpected: no extra problems."""
    from .validate import check_nodes, check_targets

    nodes = data.get("nodes")
    if not isinstance(nodes, MarkedDict) or not nodes:
        return []
    per_node: dict = {}
    bad = {key: set() for key in ("commands", "priority_routes", "top")}
    for err in validator("menu").iter_errors(data):
        extra = []   # a missing field: the error is about that field
        if err.validator == "required" and isinstance(err.validator_value, list) and isinstance(err.instance, dict):
            extra = [k for k in err.validator_value if k not in err.instance][:1]
        path = list(err.absolute_path) + extra
        if len(path) >= 2 and path[0] == "nodes":
            per_node.setdefault(path[1], []).append((extra, err))
        elif len(path) >= 2 and path[0] in ("commands", "priority_routes"):
            bad[path[0]].add(path[1])
        else:
            bad["top"].add(path[0] if path else "")
    if bad["top"] - {"id", "title", "language", "languages", "defaults"}:
        return []   # the start, the nodes or the commands as a whole are broken: no reliable picture
    trial = _marked(data, {k: v for k, v in data.items() if k not in bad["top"]})
    trial.setdefault("id", "menu")
    trial.setdefault("title", "menu")
    trial["nodes"] = _marked(nodes, {nid: _repair_node(raw, per_node[nid]) if nid in per_node else raw
                                     for nid, raw in nodes.items()})
    if isinstance(data.get("commands"), MarkedDict):
        trial["commands"] = _marked(data["commands"], {k: v for k, v in data["commands"].items()
                                                       if k not in bad["commands"]})
    if bad["priority_routes"]:
        trial.pop("priority_routes", None)
    try:
        menu = build_menu(trial, file, config)
        return check_targets(menu) + check_nodes(menu)
    except Exception:   # a shape the schema refused in a way not foreseen here: the schema errors stand alone
        return []
