"""Menu -> FreeSWITCH mod_dptools ivr.conf XML that ivr.importers.freeswitch reads back.

Each menu node is a <menu> (greet-long/short `say:` TTS, timeout, max-failures
= retries + 1, exec-on-max-* for where the policy goes). Options become
<entry>s: menu-sub for another menu, menu-top / menu-back / menu-exit for
@start / @back / @hangup, menu-exec-app `callcenter QUEUE` for a person
(mod_callcenter), menu-play-sound for an announcement that returns to the
same menu. FreeSWITCH menus are keypad only and have no global commands, no
free input and no announcements between menus: the human command's key is
added to every menu, other things are dropped or short-cut — each listed in
the notes.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..errors import IvrError
from ..model import COMMAND_TARGETS, Menu, Node


class _Writer:
    def __init__(self, menu: Menu):
        self.menu, self.notes = menu, []

    def final(self, target: str, here: str) -> str:
        """Follow announcements / gotos (which FreeSWITCH menus cannot chain) to a menu, person or end."""
        seen = set()
        while True:
            nid = self.menu.resolve(target, here) if target not in ("@back", "@hangup", "@repeat") else target
            node = self.menu.nodes.get(nid or "")
            if node is None or node.kind not in ("announcement", "goto", "self_service", "work_order") \
                    or nid in seen:
                return nid or "@hangup"
            seen.add(nid)
            self.notes.append(f"{here}: {node.kind} {nid!r} between menus is not expressible; skipped")
            target = node.next or "@hangup"

    def app_for(self, target: str, here: str) -> str:
        """Dialplan application text that sends the caller to `target`."""
        nid = self.final(target, here)
        node = self.menu.nodes.get(nid)
        if nid == "@hangup" or node is None or node.kind == "hangup":
            return "hangup"
        if node.kind == "human":
            return f"callcenter {node.queue.name if node.queue and node.queue.name else nid}"
        if node.kind == "menu":
            return f"ivr {nid}"
        self.notes.append(f"{here}: {node.kind} node {nid!r} is not expressible in a FreeSWITCH menu; hangs up")
        return "hangup"

    def entry(self, parent: ET.Element, key: str, target: str, node: Node, top: bool) -> None:
        if target == "@repeat":
            attrs = {"action": "menu-top"} if top else {"action": "menu-sub", "param": node.id}
        elif target == "@start":
            attrs = {"action": "menu-top"}
        elif target == "@back":
            attrs = {"action": "menu-back"}
        elif target == "@hangup":
            attrs = {"action": "menu-exit"}
        else:
            resolved = self.menu.resolve(target, node.id)
            t = self.menu.nodes.get(resolved or "")
            if t is not None and t.kind == "announcement" and t.next in (node.id, "@repeat"):
                attrs = {"action": "menu-play-sound", "param": f"say:{t.prompt}"}
            elif t is not None and t.kind == "menu" and resolved != node.id:
                attrs = {"action": "menu-sub", "param": resolved}
            elif resolved == node.id:
                attrs = {"action": "menu-top"} if top else {"action": "menu-sub", "param": node.id}
            else:
                attrs = {"action": "menu-exec-app", "param": self.app_for(target, node.id)}
        ET.SubElement(parent, "entry", {"action": attrs["action"], "digits": key,
                                        **({"param": attrs["param"]} if "param" in attrs else {})})

    def policy_attrs(self, node: Node, top: bool) -> dict:
        out = {}
        for attr, p in (("failures", node.no_match), ("timeouts", node.no_input)):
            out[f"max-{attr}"] = str(int(p.retries) + 1)
            if p.then == "@back" and not top:
                continue   # a sub-menu that gives up returns to its parent
            if p.then == "@back":
                self.notes.append(f"{node.id}: @back from the top menu leaves the IVR (hang-up)")
            target = node.id if p.then == "@repeat" else p.then
            out[f"exec-on-max-{attr}"] = "hangup" if p.then in ("@hangup", "@back") else self.app_for(target, node.id)
        return out

    def write(self) -> str:
        menu = self.menu
        menus = [n for n in menu.nodes.values() if n.kind == "menu"]
        start = self.final(menu.start, menu.start)
        menus.sort(key=lambda n: n.id != start)
        if not menus:   # an empty <include> would not load anywhere, here or in FreeSWITCH
            raise IvrError(f"menu {menu.id!r} has no menu node: nothing FreeSWITCH's ivr module can run",
                           "export it to VoiceXML (--to vxml) instead", menu.where, "not-exportable")
        if start != menu.start:
            self.notes.append(f"start {menu.start!r} is not a menu; FreeSWITCH starts at {start!r}")
        skipped = [n.id for n in menu.nodes.values() if n.kind in ("input", "unknown")]
        if skipped:
            self.notes.append(f"input/unknown nodes not expressible: {', '.join(skipped)}")
        root = ET.Element("include")
        human = menu.command("human")
        for node in menus:
            top = node.id == start
            greet = f"say:{node.prompt}"
            m = ET.SubElement(root, "menu", {
                "name": node.id, "greet-long": greet, "greet-short": greet, "tts-engine": "flite", "tts-voice": "kal",
                "invalid-sound": "ivr/ivr-that_was_an_invalid_entry.wav", "exit-sound": "voicemail/vm-goodbye.wav",
                "timeout": str(int(node.timeout_s * 1000)), "inter-digit-timeout": "2000", "digit-len": "1",
                **self.policy_attrs(node, top)})
            keys = set()
            for o in node.options:
                if not o.key:
                    self.notes.append(f"{node.id}: spoken-only choice {o.phrases} dropped (FreeSWITCH ivr is keypad only)")
                    continue
                keys.add(o.key)
                self.entry(m, o.key, o.target, node, top)
            for name in ("human", "main_menu", "repeat", "back"):
                cmd = menu.command(name, node)
                if cmd and cmd.key and cmd.key not in keys:
                    keys.add(cmd.key)
                    self.entry(m, cmd.key, cmd.target if name == "human" and cmd.target else COMMAND_TARGETS[name],
                               node, top)
        if human and human.phrases:
            self.notes.append(f"spoken human command {human.phrases} dropped (keypad only)")
        ET.indent(root)
        return ET.tostring(root, encoding="unicode") + "\n"


def export(menu: Menu) -> tuple[str, list[str]]:
    w = _Writer(menu)
    text = w.write()
    return text, sorted(set(w.notes), key=w.notes.index)
