"""One self-contained HTML page per run: each menu drawn as a tree with every
node's steps and seconds to a person, findings highlighted and linked to
their nodes. Jinja2 with autoescape: every menu string is escaped."""
from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__

MAX_TREE_NODES = 5000   # a page for people: huge generated menus are cut, and say so


def _tree(r: dict) -> tuple[list[dict], int]:
    """Rows (node, level) in depth-first order from the start along fewest-action paths."""
    per_node = r["metrics"].get("per_node", {})
    children: dict = {}
    roots = []
    for nid, info in per_node.items():
        if info["depth"] is None:
            continue
        if info["via"] is None or info["via"] == nid:
            roots.append(nid)
        else:
            children.setdefault(info["via"], []).append(nid)
    anchors = {nid: f"m{r['_index']}-n{k}" for k, nid in enumerate(per_node)}
    by_node: dict = {}
    for j, f in enumerate(r["findings"]):
        f["anchor"] = f"m{r['_index']}-f{j}"
        f["node_anchor"] = anchors.get(f["node"])
        by_node.setdefault(f["node"], []).append(f)
    rows, stack = [], [(nid, 0) for nid in reversed(roots)]
    while stack and len(rows) < MAX_TREE_NODES:
        nid, level = stack.pop()
        rows.append({"id": nid, "level": level, "anchor": anchors[nid], "info": per_node[nid],
                     "findings": by_node.get(nid, [])})
        stack += [(c, level + 1) for c in reversed(children.get(nid, []))]
    unreachable = [{"id": nid, "level": 0, "anchor": anchors[nid], "info": info, "findings": by_node.get(nid, [])}
                   for nid, info in per_node.items() if info["depth"] is None]
    return rows + unreachable[:MAX_TREE_NODES], len(per_node)


def html(results: list[dict]) -> str:
    env = Environment(loader=PackageLoader("ivr", "templates"), autoescape=select_autoescape(default=True))
    menus = []
    for i, r in enumerate(results):
        r = dict(r, _index=i)
        if "error" not in r:
            r["findings"] = [dict(f) for f in r["findings"]]
            r["rows"], r["total_nodes"] = _tree(r)
        menus.append(r)
    return env.get_template("audit.html").render(menus=menus, version=__version__)
