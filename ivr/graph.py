"""Draw a menu: Graphviz dot, Mermaid, or SVG (dot run by Graphviz).

Nodes are coloured by steps to a person (ivr.metrics): green = 1 step,
through yellow and orange, red = 4 or more, grey = no person reachable; a
person's node is blue. Edges carry the key and phrases that take them;
`next` edges are plain, silence/wrong-input policies dashed.
"""
from __future__ import annotations

import math
import shutil
import subprocess

from .errors import IvrError
from .metrics import compute
from .model import Menu

COLOURS = {0: "#9ecbff", 1: "#b7e4a7", 2: "#e6f29b", 3: "#ffd08a", 4: "#ff9b8a"}
NO_HUMAN = "#d9d9d9"
SHAPES = {"menu": "box", "input": "parallelogram", "human": "doubleoctagon", "hangup": "octagon",
          "unknown": "diamond"}


def colour(steps: float) -> str:
    if not math.isfinite(steps):
        return NO_HUMAN
    return COLOURS[min(int(steps), 4)]


def edges(menu: Menu) -> list[tuple[str, str, str, str]]:
    """(from, to, label, style) for every move; virtual nodes `__hangup__`/`__back__`."""
    out = []

    def to(target: str, here: str) -> str:
        if target == "@hangup":
            return "__hangup__"
        if target == "@back":
            return "__back__"
        return menu.resolve(target, here) or "__hangup__"

    for node in menu.nodes.values():
        for o in node.options:
            out.append((node.id, to(o.target, node.id), _choice_label(o.key, o.phrases) or o.label, "solid"))
        if node.next:
            out.append((node.id, to(node.next, node.id), "any input" if node.kind == "input" else "", "solid"))
        if node.waits_for_caller():
            for what, p in (("silence", node.no_input), ("wrong", node.no_match)):
                out.append((node.id, to(p.then, node.id), f"{what} ×{p.retries + 1}", "dashed"))
    cmd = menu.commands.get("human")
    if cmd and (target := menu.resolve("@human")):
        out.append(("__any__", target, f"anywhere: {_choice_label(cmd.key, cmd.phrases)}", "dotted"))
    return out


def _choice_label(key, phrases) -> str:
    """An edge label: the key and the quoted phrases."""
    return " / ".join(x for x in [key or "", ", ".join(f'"{p}"' for p in phrases)] if x)


def _steps(menu: Menu) -> dict[str, float]:
    m = compute(menu)
    return {nid: float(m.steps[i]) for i, nid in enumerate(m.graph.ids)}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def to_dot(menu: Menu) -> str:
    steps = _steps(menu)
    lines = [f"digraph {_q(menu.id)} {{", "  rankdir=LR;", '  node [style=filled, fontname="sans-serif", fontsize=10];',
             '  edge [fontname="sans-serif", fontsize=9];']
    for nid, node in menu.nodes.items():
        s = steps.get(nid, math.inf)
        tail = "person" if node.kind == "human" else f"{int(s)} to person" if math.isfinite(s) else "no person"
        label = f"{nid}\\n[{node.kind}] {tail}"
        if node.prompt:
            label += "\\n" + _short(node.prompt).replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'  {_q(nid)} [label="{label}", shape={SHAPES.get(node.kind, "ellipse")}, '
                     f'fillcolor="{colour(0 if node.kind == "human" else s)}"{", penwidth=2" if nid == menu.start else ""}];')
    all_edges = edges(menu)
    used = {e[1] for e in all_edges} | {e[0] for e in all_edges}
    for virtual, text in (("__hangup__", "hang up"), ("__back__", "back"), ("__any__", "any node")):
        if virtual in used:
            lines.append(f'  {_q(virtual)} [label="{text}", shape=plaintext, style=""];')
    for a, b, label, style in all_edges:
        lines.append(f"  {_q(a)} -> {_q(b)} [label={_q(label)}, style={style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _m(text: str) -> str:
    """Mermaid-safe label text."""
    return (text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "#124;").replace("\n", " "))


def to_mermaid(menu: Menu) -> str:
    steps = _steps(menu)
    ids = {nid: f"n{i}" for i, nid in enumerate(menu.nodes)}
    ids.update({"__hangup__": "hangup", "__back__": "back", "__any__": "anywhere"})
    lines = ["flowchart LR"]
    for nid, node in menu.nodes.items():
        s = steps.get(nid, math.inf)
        tail = "person" if node.kind == "human" else f"{int(s)} to person" if math.isfinite(s) else "no person"
        lines.append(f'  {ids[nid]}["{_m(nid)}<br/>{node.kind}: {tail}"]')
        lines.append(f"  style {ids[nid]} fill:{colour(0 if node.kind == 'human' else s)}")
    for a, b, label, style in edges(menu):
        arrow = "-.->" if style != "solid" else "-->"
        lines.append(f'  {ids[a]} {arrow}{"|" + _m(label) + "|" if label else ""} {ids[b]}')
    return "\n".join(lines) + "\n"


def to_svg(menu: Menu) -> str:
    dot = shutil.which("dot")
    if not dot:
        raise IvrError("Graphviz 'dot' is not installed, so no SVG can be drawn",
                       "install it (Debian/Ubuntu: apt-get install graphviz), or use --format dot / mermaid",
                       code="missing-tool")
    run = subprocess.run([dot, "-Tsvg"], input=to_dot(menu), capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise IvrError(f"Graphviz failed: {run.stderr.strip()[:300]}", "report this as a bug in ivr graph",
                       code="tool-failed")
    return run.stdout


RENDER = {"dot": to_dot, "mermaid": to_mermaid, "svg": to_svg}
