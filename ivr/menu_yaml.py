"""Menu -> YAML text that ivr.loader reads back (the inverse of the loader).

Written for `ivr import -o`: only fields that differ from their defaults are
written, an importer's `note` (what it could not map) is kept as a `note:`
field, and the import report goes on top as comments.
"""
from __future__ import annotations

import yaml

from .model import Menu, Node, Policy, Queue

_QUEUE_DEFAULTS = Queue()


def _policy(p: Policy) -> dict:
    return {"retries": int(p.retries), "then": p.then}


def _node(node: Node) -> dict:
    d: dict = {"kind": node.kind}
    if node.prompt:
        d["prompt"] = node.prompt
    if node.options:
        d["options"] = []
        for o in node.options:
            od: dict = {}
            if o.key:
                od["key"] = o.key
            if o.phrases:
                od["say"] = list(o.phrases)
            od["to"] = o.target
            if o.label:
                od["label"] = o.label
            if o.weight != 1.0:
                od["weight"] = o.weight
            d["options"].append(od)
    if node.next:
        d["next"] = node.next
    if not node.barge_in:
        d["barge_in"] = False
    if node.kind in ("menu", "input"):
        d["timeout_s"] = node.timeout_s
        d["no_input"] = _policy(node.no_input)
        d["no_match"] = _policy(node.no_match)
    for attr in ("duration_s", "answer", "source", "knowledge_base", "category"):
        if getattr(node, attr):
            d[attr] = getattr(node, attr)
    if node.advert:
        d["advert"] = True
    if node.queue is not None:
        d["queue"] = {k: v for k, v in vars(node.queue).items()
                      if k == "name" or v != getattr(_QUEUE_DEFAULTS, k)}
    if node.kind == "input":
        if node.input_name:
            d["name"] = node.input_name
        if getattr(node, "input_mode", "digits") != "digits":
            d["mode"] = node.input_mode
        d["digits"] = list(node.input_digits)
    if node.globals_off:
        d["globals_off"] = list(node.globals_off)
    if node.note:
        d["note"] = node.note
    return d


def menu_to_data(menu: Menu) -> dict:
    data: dict = {"id": menu.id, "title": menu.title, "language": menu.language}
    if menu.languages:
        data["languages"] = list(menu.languages)
    for name in ("operator", "sector", "number_type", "voice"):
        if getattr(menu, name, ""):
            data[name] = getattr(menu, name)
    if getattr(menu, "jurisdictions", None):
        data["jurisdictions"] = list(menu.jurisdictions)
    data["start"] = menu.start
    if menu.commands:
        data["commands"] = {}
        for name, c in menu.commands.items():
            cd: dict = {}
            if c.key:
                cd["key"] = c.key
            if c.phrases:
                cd["say"] = list(c.phrases)
            if c.target:
                cd["to"] = c.target
            data["commands"][name] = cd
    if menu.guard:
        data["guard"] = dict(menu.guard)
    if menu.priority_routes:
        data["priority_routes"] = [{k: v for k, v in r.items() if k != "where"} for r in menu.priority_routes]
    data["nodes"] = {nid: _node(n) for nid, n in menu.nodes.items()}
    return data


def dump_menu(menu: Menu) -> str:
    """YAML text of `menu`; the import report (if any) as leading comments."""
    head = ""
    if menu.import_report:
        lines = [f"# imported from {menu.source}"] + [f"#   {n.status}: {n.what}"
                                                      + (f" (line {n.where.line})" if n.where.line else "")
                                                      for n in menu.import_report]
        head = "\n".join(" ".join(line.split("\n")) for line in lines) + "\n"
    return head + yaml.safe_dump(menu_to_data(menu), sort_keys=False, allow_unicode=True, width=100)
