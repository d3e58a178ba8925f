"""Draw a menu: Graphviz dot, Mermaid, SVG or PNG (dot run by Graphviz).

Laid out top-down, so a menu reads like the call: the start at the top,
each choice one row lower. Nodes are coloured by steps to a person
(ivr.metrics): blue = a person, green = 1 step, yellow 2, orange 3, red 4 or
more, grey = no person reachable. Forced prompts (the caller must listen to
them) have a thick red border and say for how long; adverts are tagged
AD; the ways to a person (an option to a person, the global command) are
thick blue edges. Silence and wrong input after the retries are dashed grey
edges that do not shape the layout. A legend explains it all in the picture.

`to_svg(menu) -> str` is the public function other reports embed.
"""
from __future__ import annotations

import math
import re
from collections import Counter
import shutil
import subprocess
import textwrap
import unicodedata
from html import escape

from .errors import IvrError
from .model import Menu

COLOURS = {0: "#9ecbff", 1: "#b7e4a7", 2: "#e6f29b", 3: "#ffd08a", 4: "#ff9b8a"}
NO_HUMAN = "#d9d9d9"
SHAPES = {"menu": "box", "input": "box", "human": "box", "hangup": "octagon", "unknown": "hexagon"}
FONT = "sans-serif"        # fontconfig: DejaVu Sans, and WenQuanYi Micro Hei for Chinese (scripts/setup.sh)
FORCED, ADVERT, TO_HUMAN, NOTE = "#a01010", "#6c2c8a", "#1f5fbf", "#444444"
PAGE_PT = 1040             # widest SVG shown at full size: 1040 pt = 1387 px
WRAP = 24                  # characters per line of a prompt in a node (Chinese characters count 2)


def colour(steps: float) -> str:
    if not math.isfinite(steps):
        return NO_HUMAN
    return COLOURS[min(int(steps), 4)]


def _target(menu: Menu, target: str, here: str) -> str:
    if target == "@hangup":
        return "__hangup__"
    if target == "@back":
        return "__back__"
    return menu.resolve(target, here) or "__hangup__"


def edges(menu: Menu, short: bool = False) -> list[tuple[str, str, str, str]]:
    """(from, to, label, style) for every move; virtual nodes `__hangup__`/`__back__`/`__any__`.
    style: solid (a choice or `next`), dashed (silence / wrong input), dotted (a global command).
    `short`: a choice is labelled with its key and first phrase only."""
    out = []
    for node in menu.nodes.values():
        for o in node.options:
            words = o.phrases[:1] + (["…"] if short and len(o.phrases) > 1 else []) if short else o.phrases
            out.append((node.id, _target(menu, o.target, node.id), _choice_label(o.key, words) or o.label,
                        "solid"))
        if node.next:
            out.append((node.id, _target(menu, node.next, node.id), "any input" if node.kind == "input" else "",
                        "solid"))
        if node.waits_for_caller():
            for what, p in (("silence", node.no_input), ("wrong", node.no_match)):
                out.append((node.id, _target(menu, p.then, node.id), f"{what} ×{p.retries + 1}", "dashed"))
    for i, route in enumerate(menu.priority_routes):
        if target := menu.resolve(route.get("to", "")):
            out.append((f"__route{i}__", target, f"priority: {route.get('name', '')}", "dotted"))
    cmd = menu.commands.get("human")
    if cmd and (target := menu.resolve("@human")):
        words = cmd.phrases[:1] + (["…"] if len(cmd.phrases) > 1 else []) if short else cmd.phrases
        out.append(("__any__", target, f"anywhere: {_choice_label(cmd.key, words)}", "dotted"))
    return out


def _choice_label(key, phrases) -> str:
    """An edge label: the key and the quoted phrases."""
    return " / ".join(x for x in [key or "", ", ".join(p if p == "…" else f'"{p}"' for p in phrases)] if x)


def _facts(menu: Menu) -> dict[str, tuple[float, float]]:
    """Per node id: (steps to a person, seconds of prompt the caller cannot skip)."""
    from .metrics import compute   # numpy and scipy: only when a picture is drawn
    m = compute(menu)
    return {nid: (float(m.steps[i]), float(m.forced_s[i])) for i, nid in enumerate(m.graph.ids)}


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _wrap(text: str, width: int = WRAP, lines: int = 3) -> list[str]:
    """A prompt as at most `lines` lines (Chinese has no spaces: it is cut by characters)."""
    text = " ".join(text.split())
    width = width // 2 if _wide(text) else width
    out = textwrap.wrap(text, width, break_long_words=True) or [""]
    if len(out) > 1 and len(out[-1]) <= 2:   # no line of a lone "。"
        out[-2:] = [out[-2] + out[-1]]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: width - 1] + "…"
    return out


def _h(text: str) -> str:
    """Text for a Graphviz HTML-like label."""
    return escape(text, quote=True)


def _tail(kind: str, steps: float) -> str:
    if kind == "human":
        return "a person"
    if kind == "hangup":
        return "call ends"
    if not math.isfinite(steps):
        return "no person"
    return f"{int(steps)} step{'s' if int(steps) != 1 else ''}"


def _node_label(menu: Menu, nid: str, steps: float, forced_s: float, notes: list[str]) -> str:
    node = menu.nodes[nid]
    rows = [f"<B>{_h(nid)}</B>" + ("&#160;▶&#160;start" if nid == menu.start else ""),
            f'<FONT POINT-SIZE="9">{_h(node.kind)} · {_tail(node.kind, steps)}</FONT>']
    tags = []
    if node.advert:
        tags.append(f'<FONT COLOR="{ADVERT}"><B>AD</B></FONT>')
    if forced_s > 0:
        tags.append(f'<FONT COLOR="{FORCED}"><B>forced {forced_s:g} s</B></FONT>')
    if tags:
        rows.append(" ".join(tags))
    text = node.prompt or node.answer or node.note
    if text:
        rows += [f'<FONT POINT-SIZE="9">{_h(line)}</FONT>' for line in _wrap(text, lines=2)]
    rows += [f'<FONT POINT-SIZE="9" COLOR="{NOTE}"><I>{_h(note)}</I></FONT>' for note in notes]
    return "<" + "<BR/>".join(rows) + ">"


def _title_and_legend(title: str, usual: tuple[str, ...]) -> str:
    """The picture's heading: the menu's title, the legend, and what silence and wrong
    input do wherever a node does not say otherwise."""
    cells = [(COLOURS[0], "a person"), (COLOURS[1], "1 step to a person"), (COLOURS[2], "2 steps"),
             (COLOURS[3], "3 steps"), (COLOURS[4], "4+ steps"), (NO_HUMAN, "none reachable")]
    swatches = "".join(f'<TD BGCOLOR="{c}" BORDER="1" COLOR="#888888">{_h(t)}</TD>' for c, t in cells)
    marks = (f'<FONT COLOR="{FORCED}"><B>thick red border</B></FONT>: forced prompt (seconds heard before '
             f'any choice) · <FONT COLOR="{ADVERT}"><B>AD</B></FONT>: advert · <FONT COLOR="{TO_HUMAN}"><B>'
             f'thick blue arrow</B></FONT>: a way to a person<BR/><FONT COLOR="{NOTE}"><I>in italics</I></FONT>: '
             'silence / wrong input after the retries, ↺ back to the start, ✕ hang up')
    if usual:
        marks += (f'<BR/>where a node waits for the caller and says nothing else: <FONT COLOR="{NOTE}"><I>'
                  f'{_h("; ".join(usual))}</I></FONT>')
    return (f'<<TABLE BORDER="0" CELLSPACING="3" CELLPADDING="2"><TR><TD COLSPAN="6"><FONT POINT-SIZE="14"><B>'
            f'{title}</B></FONT></TD></TR><TR>{swatches}</TR><TR><TD COLSPAN="6"><FONT POINT-SIZE="9">{marks}'
            '</FONT></TD></TR></TABLE>>')


def _name(menu: Menu, target: str) -> str:
    return {"__hangup__": "✕ hang up", "__back__": "↩ back"}.get(
        target, f"↺ {target}" if target == menu.start else target)


def _layout(menu: Menu) -> tuple[list[tuple[str, str, str, str]], dict[str, list[str]], tuple[str, ...]]:
    """The edges to draw; per node the moves written into it instead (silence and wrong
    input after the retries; moves back to the start, to a hang-up or back: arrows that
    would cross the whole picture); and what silence and wrong input do at most nodes,
    said once in the heading instead of in every node."""
    drawn, notes = [], {}
    policy: dict[str, dict[str, list[str]]] = {}
    for a, b, label, style in edges(menu, short=True):
        if style == "dashed":
            policy.setdefault(a, {})
            if a != b:   # a retry of the node itself is what waiting means: not written
                policy[a].setdefault(b, []).append(label)
        elif not a.startswith("__") and (b == menu.start or b.startswith("__")):
            notes.setdefault(a, []).append(f"{_short(label, 24) or 'then'} → {_name(menu, b)}")
        else:
            drawn.append((a, b, label, style))
    lines: dict[str, tuple[str, ...]] = {}
    for a, targets in policy.items():
        out = []
        for b, labels in targets.items():   # silence and wrong input to the same place: one line
            if len(labels) == 2 and labels[0].split("×")[1] == labels[1].split("×")[1]:
                labels = [f"silence / wrong ×{labels[0].split('×')[1]}"]
            out += [f"{label} → {_name(menu, b)}" for label in labels]
        lines[a] = tuple(out)
    counts = Counter(lines.values()).most_common(1)
    usual = counts[0][0] if counts and counts[0][1] >= 2 else ()
    for a, out in lines.items():
        if out != usual:
            notes.setdefault(a, []).extend(out)
    return drawn, notes, usual


def to_dot(menu: Menu) -> str:
    facts = _facts(menu)
    drawn, notes, usual = _layout(menu)
    title = _h(f"{menu.title} ({menu.id})" if menu.title and menu.title != menu.id else menu.id)
    lines = [f"digraph {_q(menu.id)} {{",
             f'  graph [rankdir=TB, newrank=true, nodesep=0.12, ranksep=0.35, pad=0.2, fontname="{FONT}", '
             f'fontsize=10, labelloc=t, label={_title_and_legend(title, usual)}];',
             f'  node [style="rounded,filled", shape=box, fontname="{FONT}", fontsize=10, margin="0.1,0.05", '
             'penwidth=1, color="#555555"];',
             f'  edge [fontname="{FONT}", fontsize=9, color="#555555", arrowsize=0.7];']
    humans = set(menu.human_nodes())
    for nid, node in menu.nodes.items():
        steps, forced_s = facts.get(nid, (math.inf, 0.0))
        attrs = [f"label={_node_label(menu, nid, steps, forced_s, notes.get(nid, []))}",
                 f"shape={SHAPES.get(node.kind, 'box')}", f'fillcolor="{colour(0 if node.kind == "human" else steps)}"']
        if node.kind in SHAPES:   # choices and ends are square; what just plays is rounded
            attrs.append('style="filled"')
        if node.kind == "human":
            attrs.append("peripheries=2")
        if forced_s > 0:
            attrs += [f'color="{FORCED}"', "penwidth=3"]
        elif node.advert:
            attrs += [f'color="{ADVERT}"', "penwidth=2"]
        elif nid == menu.start:
            attrs.append("penwidth=2")
        lines.append(f"  {_q(nid)} [{', '.join(attrs)}];")
    if any(a == "__any__" for a, *_ in drawn):
        lines.append('  "__any__" [label="from any node", shape=plaintext, style="", fontsize=10];')
        # a person reached only "from anywhere" sits at the bottom with that note, not beside the start
        alone = humans - {b for a, b, _, style in drawn if a != "__any__"}
        lines.append("  { rank=sink; \"__any__\"; " + " ".join(_q(h) + ";" for h in sorted(alone)) + " }")
    for a, b, label, style in drawn:
        if a.startswith("__route"):
            lines.append(f'  {_q(a)} [label={_q(label)}, shape=plaintext, style="", fontsize=10];')
            label = ""
        attrs = [f"label={_q(_short(label, 22))}" if label else 'label=""']
        if b in humans:
            attrs += [f'color="{TO_HUMAN}"', f'fontcolor="{TO_HUMAN}"', "penwidth=2.5"]
        if style == "dotted":
            attrs.append("style=dashed")
        lines.append(f"  {_q(a)} -> {_q(b)} [{', '.join(attrs)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _m(text: str) -> str:
    """Mermaid-safe label text."""
    return (text.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "#124;").replace("\n", " "))


def to_mermaid(menu: Menu) -> str:
    facts = _facts(menu)
    drawn, notes, usual = _layout(menu)
    ids = {nid: f"n{i}" for i, nid in enumerate(menu.nodes)}
    lines = ["flowchart TD"] + ([f"  %% where a node says nothing else: {'; '.join(usual)}"] if usual else [])
    for nid, node in menu.nodes.items():
        steps, forced_s = facts.get(nid, (math.inf, 0.0))
        extra = (["AD"] if node.advert else []) + ([f"forced {forced_s:g} s"] if forced_s > 0 else [])
        text = "<br/>".join(_m(x) for x in [nid, f"{node.kind}: {_tail(node.kind, steps)}",
                                             " · ".join(extra), *notes.get(nid, [])] if x)
        lines.append(f'  {ids[nid]}["{text}"]')
        border = f",stroke:{FORCED},stroke-width:3px" if forced_s > 0 else (
            f",stroke:{ADVERT},stroke-width:2px" if node.advert else "")
        lines.append(f"  style {ids[nid]} fill:{colour(0 if node.kind == 'human' else steps)}{border}")
    for k, (a, b, label, style) in enumerate(drawn):
        if a.startswith("__") and a not in ids or a == "__any__":   # "from any node", a priority route
            ids[a] = f"v{k}"
            lines.append(f'  v{k}["{_m("from any node" if a == "__any__" else label)}"]')
            if a != "__any__":
                drawn[k] = (a, b, "", style)
    for a, b, label, style in drawn:
        arrow = "-.->" if style != "solid" else "-->"
        lines.append(f'  {ids[a]} {arrow}{"|" + _m(label) + "|" if label else ""} {ids[b]}')
    return "\n".join(lines) + "\n"


def _graphviz(menu: Menu, fmt: str) -> bytes:
    dot = shutil.which("dot")
    if not dot:
        raise IvrError(f"Graphviz 'dot' is not installed, so no {fmt.upper()} can be drawn",
                       "install it (Debian/Ubuntu: apt-get install graphviz), or use --format dot / mermaid",
                       code="missing-tool")
    source = to_dot(menu).encode("utf-8")
    svg = _run([dot, "-Tsvg"], source)
    size = re.search(rb'<svg width="([\d.]+)pt"', svg)
    unflatten = shutil.which("unflatten")   # Graphviz's own tool: staggers the leaves of a wide
    if unflatten and size and float(size.group(1)) > PAGE_PT:   # menu over up to 3 rows
        source = _run([unflatten, "-f", "-l", "3"], source)
        svg = b""
    if fmt == "svg" and svg:
        return svg
    return _run([dot, f"-T{fmt}", *(["-Gdpi=110"] if fmt == "png" else [])], source)


def _run(argv: list[str], data: bytes) -> bytes:
    run = subprocess.run(argv, input=data, capture_output=True, timeout=120)
    if run.returncode != 0:
        raise IvrError(f"Graphviz failed: {run.stderr.decode('utf-8', 'replace').strip()[:300]}",
                       "report this as a bug in ivr graph", code="tool-failed")
    return run.stdout


def to_svg(menu: Menu) -> str:
    """The menu's diagram as a standalone SVG document (Graphviz). A drawing wider than
    PAGE_PT is shown scaled to that width (its viewBox keeps every detail), so it fits a
    1400-pixel window or an A4 page in landscape; CSS may size it otherwise."""
    svg = _graphviz(menu, "svg").decode("utf-8")
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if size and float(size.group(1)) > PAGE_PT:
        width, height = float(size.group(1)), float(size.group(2))
        svg = svg.replace(size.group(0), f'<svg width="{PAGE_PT}pt" height="{height * PAGE_PT / width:.0f}pt"', 1)
    return svg


def to_png(menu: Menu) -> bytes:
    """The menu's diagram as PNG bytes (Graphviz with cairo, 110 dpi)."""
    return _graphviz(menu, "png")


RENDER = {"dot": to_dot, "mermaid": to_mermaid, "svg": to_svg, "png": to_png}
