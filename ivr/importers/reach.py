"""Nodes no path reaches in the model are left out of the YAML `ivr import`
writes, each with a note, so the file loads and validates (the imported
Menu that other commands see keeps them, and audits flag them).

A platform may reach them in a way the model has no words for — VoiceXML
runs the item after a <transfer> when the transfer fails — so the note says
where the node was instead of keeping a node `ivr validate` would refuse.
"""
from __future__ import annotations

from ..model import Menu
from . import report as R
from .report import ImportNote


def drop_unreachable(menu: Menu) -> None:
    from ..validate import reachable_nodes
    if menu.start not in menu.nodes:
        return
    seen = reachable_nodes(menu)
    for nid in [n for n in menu.nodes if n not in seen]:
        node = menu.nodes.pop(nid)
        said = f": {node.prompt[:60]!r}" if node.prompt else ""
        what = f"{node.kind} node {nid!r}{said} is reached by no option, next or retry policy from the " \
            "start, so it is left out (the platform may reach it in a way the model cannot express, e.g. " \
            "after a failed transfer)"
        menu.import_report.append(ImportNote(R.UNMAPPED, what, node.where, nid))
    for name, cmd in list(menu.commands.items()):
        if cmd.target and cmd.target not in menu.nodes and not cmd.target.startswith("@"):
            del menu.commands[name]
            menu.import_report.append(ImportNote(R.UNMAPPED, f"global command {name!r} led only to a node "
                                                 "left out", cmd.where))
