"""Menu -> one VoiceXML 2.1 document that ivr.importers.voicexml reads back.

menu -> <menu> with <choice dtmf next> and an inline voice grammar of its
phrases; retries -> <noinput>/<nomatch> counted handlers (count 1 reprompts,
count retries+1 leaves); announcement/goto/self_service/work_order/hangup ->
<form><block>; input -> <form><field type="digits?..."> with <filled><goto>;
human -> <transfer dest="sip:queue-NAME">; global commands -> document
<link>s. Special targets without a VoiceXML word (@back, @repeat, @hangup on
a choice) throw ivr.* events caught at document level. Details VoiceXML has
no attribute for (node kind, queue sizing, answer source) ride along in
<meta name="ivr.node.ID"> so the round trip is exact.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from ..model import COMMAND_TARGETS, Menu, Node

NS = "http://www.w3.org/2001/vxml"
SPECIAL_EVENTS = {"@repeat": "ivr.repeat", "@back": "ivr.back", "@hangup": "ivr.hangup"}


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs) -> ET.Element:
    e = ET.SubElement(parent, tag, {k.rstrip("_"): str(v) for k, v in attrs.items() if v is not None})
    if text:
        e.text = text
    return e


def _grammar(parent: ET.Element, phrases: list[str]) -> None:
    if not phrases:
        return
    g = _sub(parent, "grammar", mode="voice", version="1.0", root="r", xmlns="http://www.w3.org/2001/06/grammar")
    rule = _sub(g, "rule", id="r")
    one = _sub(rule, "one-of")
    for p in phrases:
        _sub(one, "item", p)


class _Writer:
    def __init__(self, menu: Menu):
        self.menu, self.notes = menu, []

    def uri(self, target: str, here: str) -> str | None:
        """'#id' for a node target, None when it needs an event."""
        if target == "@start":
            return f"#{self.menu.start}"
        if target == "@human":
            resolved = self.menu.resolve("@human")
            if resolved:
                return f"#{resolved}"
            self.notes.append(f"{here}: @human but the menu has no human node; hangs up instead")
            return None
        if target in SPECIAL_EVENTS:
            return None
        return f"#{target}"

    def jump(self, parent: ET.Element, target: str, here: str) -> None:
        """Control transfer to `target` inside a handler/block/filled."""
        uri = self.uri(target, here)
        if uri:
            _sub(parent, "goto", next=uri)
        elif target == "@repeat":
            _sub(parent, "reprompt")
        elif target == "@back":
            _sub(parent, "throw", event="ivr.back")
        else:
            _sub(parent, "disconnect")

    def handlers(self, parent: ET.Element, node: Node) -> None:
        for tag, p in (("noinput", node.no_input), ("nomatch", node.no_match)):
            if p.then == "@repeat" or p.retries > 0:
                _sub(_sub(parent, tag, count="1"), "reprompt")
            if p.then != "@repeat" or p.retries > 0:   # (@repeat: the count only keeps the retries number)
                self.jump(_sub(parent, tag, count=str(int(p.retries) + 1)), p.then, node.id)

    def prompt(self, parent: ET.Element, node: Node, text: str | None = None) -> None:
        text = node.prompt if text is None else text
        if text:
            _sub(parent, "prompt", text, bargein=None if node.barge_in else "false")

    def menu_node(self, root: ET.Element, node: Node) -> None:
        m = _sub(root, "menu", id=node.id)
        _sub(m, "property", name="timeout", value=f"{node.timeout_s:g}s")
        self.prompt(m, node)
        for o in node.options:
            uri = self.uri(o.target, node.id)
            c = _sub(m, "choice", dtmf=o.key, next=uri, event=None if uri else SPECIAL_EVENTS.get(o.target, "ivr.hangup"))
            _grammar(c, o.phrases)
        self.handlers(m, node)

    def form_node(self, root: ET.Element, node: Node) -> None:
        f = _sub(root, "form", id=node.id)
        if node.kind == "human":
            q = node.queue.name if node.queue and node.queue.name else node.id
            t = _sub(f, "transfer", name="agent", dest=f"sip:queue-{q}", bridge="true")
            self.prompt(t, node)
            return
        if node.kind == "input":
            lo, hi = node.input_digits
            fld = _sub(f, "field", name="value", type=f"digits?minlength={lo};maxlength={hi}"
                       if getattr(node, "input_mode", "digits") == "digits" else None)
            _sub(fld, "property", name="timeout", value=f"{node.timeout_s:g}s")
            self.prompt(fld, node)
            self.handlers(fld, node)
            self.jump(_sub(fld, "filled"), node.next or "@hangup", node.id)
            return
        b = _sub(f, "block")
        text = " ".join(t for t in (node.prompt, node.answer) if t)
        self.prompt(b, node, text)
        if node.kind == "unknown":
            _sub(b, "throw", event="ivr.unknown")
        elif node.kind == "hangup" or not node.next:
            _sub(b, "disconnect")
        else:
            self.jump(b, node.next, node.id)

    def hint(self, node: Node) -> dict:
        h: dict = {}
        text = node.prompt or node.answer
        block = "hangup" if node.kind == "hangup" or not node.next else "announcement" if text else "goto"
        natural = node.kind if node.kind in ("menu", "input", "human") else block   # what the importer sees
        if natural != node.kind:
            h["kind"] = node.kind
        if node.kind not in ("menu", "input", "human") and node.answer:
            h["prompt"] = node.prompt
        for attr in ("answer", "source", "category", "knowledge_base", "note", "input_name"):
            if getattr(node, attr):
                h[attr] = getattr(node, attr)
        for attr in ("advert", "duration_s"):
            if getattr(node, attr):
                h[attr] = getattr(node, attr)
        if getattr(node, "input_mode", "digits") != "digits":
            h["input_mode"] = node.input_mode
        if node.queue:
            h["queue"] = {k: v for k, v in vars(node.queue).items()}
        if node.globals_off:
            h["globals_off"] = node.globals_off
        return h

    def write(self) -> str:
        menu = self.menu
        root = ET.Element("vxml", {"xmlns": NS, "version": "2.1", "xml:lang": menu.language})
        _sub(root, "meta", name="title", content=menu.title)
        _sub(root, "meta", name="ivr.menu", content=json.dumps(
            {"id": menu.id, "languages": menu.languages,
             "priority_routes": [{k: v for k, v in r.items() if k != "where"} for r in menu.priority_routes],
             **({"guard": menu.guard} if menu.guard else {})},
            ensure_ascii=False))
        for node in menu.nodes.values():
            h = self.hint(node)
            if h:
                _sub(root, "meta", name=f"ivr.node.{node.id}", content=json.dumps(h, ensure_ascii=False))
        for name, cmd in menu.commands.items():
            target = cmd.target if name == "human" and cmd.target else COMMAND_TARGETS[name]
            uri = self.uri(target, f"command {name}")
            link = _sub(root, "link", dtmf=cmd.key, next=uri, event=None if uri else SPECIAL_EVENTS.get(target))
            _grammar(link, cmd.phrases)
        _sub(_sub(root, "catch", event="ivr.repeat"), "reprompt")
        _sub(_sub(root, "catch", event="ivr.hangup"), "disconnect")
        # an uncaught event ends the session; a static document cannot know the
        # caller's previous menu, so a deployed `back` goes to the main menu
        _sub(_sub(root, "catch", event="ivr.back"), "goto", next=f"#{menu.start}")
        start = menu.nodes[menu.start]
        for node in [start] + [n for n in menu.nodes.values() if n is not start]:
            (self.menu_node if node.kind == "menu" else self.form_node)(root, node)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def export(menu: Menu) -> tuple[str, list[str]]:
    w = _Writer(menu)
    text = w.write()
    return text, w.notes
