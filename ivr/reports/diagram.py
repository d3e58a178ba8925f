"""A menu's diagram for the HTML report: the SVG ivr.graph draws (Graphviz),
cleaned so that it can be put inline in the page safely.

Graphviz escapes label text, but the page must not rely on that: the SVG is
parsed with the project's hardened XML parser and rebuilt with only drawing
elements and presentation attributes (no ids to clash between menus, no script, no event handlers, no links
out of the page, no foreign content)."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..errors import IvrError
from ..model import Menu

MAX_DIAGRAM_NODES = 150   # bigger menus are unreadable as one picture; the tree table still lists every node
SVG_NS = "http://www.w3.org/2000/svg"
ELEMENTS = {"svg", "g", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line",
            "text", "tspan", "defs", "marker", "linearGradient", "radialGradient", "stop"}
UNWRAP = {"a", "switch"}   # containers whose content is kept, without them (no links out of the page)
ATTRIBUTES = {"width", "height", "viewBox", "transform", "class", "points", "d", "cx", "cy", "rx", "ry",
              "r", "x", "y", "x1", "y1", "x2", "y2", "dx", "dy", "fill", "stroke", "stroke-width",
              "stroke-dasharray", "stroke-opacity", "fill-opacity", "opacity", "font-family", "font-size",
              "font-weight", "font-style", "text-anchor", "preserveAspectRatio", "offset", "stop-color",
              "markerWidth", "markerHeight", "refX", "refY", "orient"}


def diagram_for(menu: Menu) -> dict:
    """{'svg': markup} or {'missing': why there is no picture}."""
    if len(menu.nodes) > MAX_DIAGRAM_NODES:
        return {"missing": f"no diagram: {len(menu.nodes)} nodes is more than {MAX_DIAGRAM_NODES} "
                           "(use `ivr graph` for a file of its own)"}
    from ..graph import to_svg
    try:
        return {"svg": clean_svg(to_svg(menu))}
    except IvrError as err:
        return {"missing": f"no diagram: {err.problem} — {err.fix}"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _copy(src: ET.Element, parent: ET.Element | None) -> ET.Element | None:
    name = _local(src.tag) if isinstance(src.tag, str) else ""
    if name in UNWRAP and parent is not None:   # Graphviz wraps nodes with tooltips in <a>: keep the drawing
        for child in src:
            _copy(child, parent)
        return None
    if name not in ELEMENTS:
        return None
    attrs = {k: v for k, v in src.attrib.items()   # url(...) only to this picture's own parts
             if _local(k) in ATTRIBUTES and "url(" not in v.replace("url(#", "")}
    out = ET.Element(name, attrs) if parent is None else ET.SubElement(parent, name, attrs)
    out.text = src.text
    for child in src:
        kept = _copy(child, out)
        if kept is not None:
            kept.tail = child.tail
    return out


def clean_svg(svg: str) -> str:
    """`svg` rebuilt from allowed elements and attributes only; text stays text (escaped on output)."""
    from ..importers.safe_xml import parse_xml

    svg = re.sub(r"<!DOCTYPE[^>\[]*>", "", svg, count=1)   # Graphviz's fixed DOCTYPE; the parser refuses DTDs
    root = parse_xml(svg.encode("utf-8"), "<graphviz svg>")
    out = _copy(root, None)
    if out is None:
        raise IvrError("Graphviz did not return an SVG picture", "report this as a bug in ivr", code="tool-failed")
    for size in ("width", "height"):   # the page scales the picture to its column (viewBox kept)
        out.attrib.pop(size, None)
    out.set("xmlns", SVG_NS)
    out.set("role", "img")
    return ET.tostring(out, encoding="unicode")
