"""One self-contained HTML page per run: an overview table (one sortable row
per menu) linking to each menu's section: its diagram, findings grouped by
rule, and the tree of nodes with steps and seconds to a person. Jinja2 with
autoescape: every menu string is escaped; the diagram SVG is rebuilt from
allowed elements only (reports.diagram); a Content-Security-Policy lets only
the page's own sorting script run."""
from __future__ import annotations

import base64
import hashlib

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

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


def _groups(r: dict) -> list[dict]:
    """Findings grouped by rule and pack: one row says "human-reachable: 16 nodes — one fix"
    (the JSON keeps one finding per node)."""
    groups: dict = {}
    for f in r["findings"] + r.get("baseline", {}).get("fixed", []):
        g = groups.setdefault((f["rule"], f["pack"]), {"rule": f["rule"], "pack": f["pack"], "severity": f["severity"],
                                                       "why": f.get("why", ""), "citation": f["citation"],
                                                       "findings": [], "fixes": []})
        g["findings"].append(f)
        if f["fix"] not in g["fixes"] and f.get("baseline") != "fixed":
            g["fixes"].append(f["fix"])
    for g in groups.values():
        g["current"] = [f for f in g["findings"] if f.get("baseline") != "fixed"]
        g["nodes"] = len({f["node"] for f in g["current"]})
        g["counts"] = {state: sum(f.get("baseline") == state for f in g["findings"]) for state in ("new", "fixed")}
    return list(groups.values())


def _script_hash(script: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def html(doc: dict) -> str:
    env = Environment(loader=PackageLoader("ivr", "templates"), autoescape=select_autoescape(default=True))
    menus = []
    for i, r in enumerate(doc["menus"]):
        r = dict(r, _index=i, findings=[dict(f) for f in r["findings"]])
        r["rows"], r["total_nodes"] = _tree(r)
        r["groups"] = _groups(r)
        r["diagram_svg"] = Markup(r["_diagram"]["svg"]) if "svg" in r.get("_diagram", {}) else None  # cleaned: reports.diagram
        menus.append(r)
    packs = list(doc["packs"]) or sorted({p for m in menus for p in m.get("verdicts", {})})
    script = env.get_template("sort.js").render()
    return env.get_template("audit.html").render(doc=doc, menus=menus, packs=packs, version=__version__,
                                                 script=Markup(script), script_hash=_script_hash(script))
