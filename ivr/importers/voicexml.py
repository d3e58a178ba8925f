"""VoiceXML 2.x documents (one document; other documents are reported).

Dialogs: <menu> (choices with dtmf and spoken text/grammar; dtmf="true"
numbers unlabelled choices 1-9), <form> items in order: <block> (a prompt
that goes on to the next item, or where its <goto> says), <field> (options
from <option> or inline grammars, routed by <filled> if/elseif on the value;
else an input), <transfer> (a person if the destination names a queue/agent/
operator, else an external number), <subdialog>/<record>/<object> (unknown).
noinput/nomatch handlers (element, form and document scope, with count=)
become retry policies; without one the platform re-prompts (spec default).
A form that runs out of items without a transition exits, which hangs up.
Document-level <link>s are global commands. <meta name="ivr.node.ID"> hints
written by our exporter restore details VoiceXML has no words for.
"""
from __future__ import annotations

import json
import re

from ..errors import IvrError
from ..model import Command, Menu, Node, Option, Policy, Queue, Where
from . import report as R
from .common import MAX_DIGITS, count, number, slug, transfer_node, unique_id, unknown_node
from .report import ImportReport
from .safe_xml import Element, parse_xml, text_of
from .vxml_grammar import choice_phrases, cond_test, dtmf_keys, grammar_phrases


def _duration(value: str | None, default: float) -> float:
    """A VoiceXML time designation ('5s', '500ms') in seconds."""
    v = (value or "").strip().lower()
    if v.endswith("ms"):
        return number(v[:-2], default * 1000) / 1000
    return number(v.rstrip("s"), default)


def _prompt(elem: Element) -> str:
    """What the caller hears in `elem`: prompts and bare text, not grammars."""
    parts = []
    if elem.text and elem.text.strip():
        parts.append(elem.text.strip())
    for child in elem:
        if child.tag == "prompt" and number(child.get("count"), 1) > 1:
            continue   # a tapered prompt for later attempts; the first attempt's is what callers hear
        if child.tag in ("prompt", "audio", "value", "say-as", "emphasis", "break", "p", "s"):
            parts.append(text_of(child) or (child.get("src", "") and f"[audio {child.get('src')}]"))
        elif child.tag == "enumerate":
            parts.append("{choices}")
        if child.tail and child.tail.strip():
            parts.append(child.tail.strip())
    return " ".join(p for p in parts if p)


def _barge_in(elem: Element) -> bool:
    """False when a prompt of `elem` (not of nested handlers) says bargein="false"."""
    return not any((p.get("bargein") or "").lower() == "false" for p in elem if p.tag == "prompt")


class _Doc:
    def __init__(self, root: Element, file: str, report: ImportReport):
        if root.tag != "vxml":
            raise IvrError(f"root element is <{root.tag}>, not <vxml>", "give a VoiceXML document",
                           root.where, "bad-format")
        self.root, self.file, self.report = root, file, report
        self.nodes: dict[str, Node] = {}
        self._scope_handlers: dict[tuple, list] = {}
        self.hints = self._hints()
        self.dialogs = [d for d in root if d.tag in ("menu", "form")]
        if not self.dialogs:
            raise IvrError("no <menu> or <form> in this VoiceXML document", "add a dialog",
                           root.where, "bad-format")
        taken: set[str] = set()
        self.ids = {}
        for i, d in enumerate(self.dialogs):
            self.ids[id(d)] = unique_id(slug(d.get("id", ""), f"dialog_{i + 1}"), taken)
            taken.add(self.ids[id(d)])
        self.by_name = {d.get("id"): self.ids[id(d)] for d in self.dialogs if d.get("id")}
        self.timeout = _duration(self._property(root, "timeout"), 5.0)

    def _hints(self) -> dict[str, dict]:
        hints = {}
        for meta in self.root.iter("meta"):
            name = meta.get("name", "")
            if name.startswith("ivr.node.") or name == "ivr.menu":
                try:
                    hints[name[len("ivr.node."):] if name != "ivr.menu" else "__menu__"] = \
                        json.loads(meta.get("content", "{}"))
                except ValueError:
                    self.report.add(R.SKIPPED, f"unreadable hint {name}", meta.where)
        return hints

    @staticmethod
    def _property(scope: Element, name: str) -> str | None:
        for p in scope:
            if p.tag == "property" and p.get("name") == name:
                return p.get("value")
        return None

    # --- targets -------------------------------------------------------
    def target(self, uri: str | None, where: Where, owner: str, form: Element | None = None) -> str:
        uri = (uri or "").strip()
        if uri.startswith("#"):
            name = uri[1:]
            if name in self.by_name:   # going to the first dialog is starting over
                nid = self.by_name[name]
                return "@start" if nid == self.ids[id(self.dialogs[0])] else nid
            nid = f"missing_{slug(name)}"
            self.nodes.setdefault(nid, unknown_node(nid, f"goto {uri}: no dialog with that id in this document",
                                                    where, self.report))
            return nid
        nid = unique_id(f"{owner}_external", self.nodes)
        self.nodes[nid] = unknown_node(nid, f"continues in another document {uri!r} (not followed)",
                                       where, self.report)
        return nid

    def event_target(self, event: str, where: Where, owner: str) -> str:
        """Where throwing `event` leads, from the document's <catch> handlers."""
        if event in ("ivr.repeat",):
            return "@repeat"
        if event in ("ivr.back",):
            return "@back"
        for c in self.root:
            if c.tag == "catch" and event in (c.get("event") or "").split():
                return self.action(c, where, owner) or "@repeat"
        if event in ("exit", "telephone.disconnect.hangup", "connection.disconnect.hangup"):
            return "@hangup"
        nid = unique_id(f"{owner}_event", self.nodes)
        self.nodes[nid] = unknown_node(nid, f"throws event {event!r} with no document handler", where, self.report)
        return nid

    def action(self, elem: Element, where: Where, owner: str) -> str | None:
        """The first control transfer inside `elem` (goto, disconnect, ...), or None."""
        for e in elem.iter():
            if e.tag == "goto":
                if e.get("nextitem"):
                    return f"{owner}#item:{e.get('nextitem')}"
                if e.get("next"):
                    return self.target(e.get("next"), e.where, owner)
                return self._dynamic(e, owner)
            if e.tag in ("disconnect", "exit"):
                return "@hangup"
            if e.tag == "reprompt":
                return "@repeat"
            if e.tag == "throw":
                return self.event_target(e.get("event", ""), e.where, owner)
            if e.tag in ("submit", "return"):
                nid = unique_id(f"{owner}_{e.tag}", self.nodes)
                self.nodes[nid] = unknown_node(nid, f"<{e.tag}> to {e.get('next') or e.get('expr') or '?'} "
                                               "(a web request decides what follows)", e.where, self.report)
                return nid
        return None

    def _dynamic(self, e: Element, owner: str) -> str:
        nid = unique_id(f"{owner}_dynamic", self.nodes)
        self.nodes[nid] = unknown_node(nid, f"goto computed at run time ({e.get('expr') or e.get('expritem')})",
                                       e.where, self.report)
        return nid

    # --- retry policies ------------------------------------------------
    def _handlers(self, scope: Element, event: str) -> list[tuple[int, Element]]:
        """(count, handler) of `event` directly in `scope`, read once per scope: the document
        scope is shared by every dialog, and rescanning it per dialog was quadratic."""
        key = (id(scope), event)
        if key not in self._scope_handlers:
            found = []
            for h in scope:
                events = [h.tag] if h.tag in ("noinput", "nomatch") else (h.get("event") or "").split() \
                    if h.tag == "catch" else []
                if event in events:
                    found.append((count(h.get("count"), 1), h))
            self._scope_handlers[key] = found
        return self._scope_handlers[key]

    def policy(self, event: str, scopes: list[Element], owner: str) -> Policy:
        """noinput/nomatch: replay until the first counted handler that leaves."""
        handlers: dict[int, Element] = {}
        for scope in scopes:            # innermost first: it wins per count
            for tries, h in self._handlers(scope, event):
                handlers.setdefault(tries, h)
        for tries in sorted(handlers):
            h = handlers[tries]
            then = self.action(h, h.where, owner)
            if then and then != "@repeat":
                return Policy(tries - 1, then, h.where)
        where = scopes[0].where
        if not handlers:
            self.report.add(R.ASSUMED, f"no {event} handler: the platform default re-prompts forever", where, owner)
        return Policy(max(handlers, default=1) - 1, "@repeat", where)

    # --- dialogs -------------------------------------------------------
    def menu(self, m: Element) -> None:
        nid = self.ids[id(m)]
        node = Node(nid, "menu", where=m.where, timeout_s=_duration(self._property(m, "timeout"), self.timeout))
        auto = (m.get("dtmf") or "").lower() == "true"
        free_keys = iter("123456789")
        used = {c.get("dtmf") for c in m.iter("choice") if c.get("dtmf")}
        labels = []
        for c in m.iter("choice"):
            key = c.get("dtmf")
            if not key and auto:
                key = next((k for k in free_keys if k not in used), None)
            if c.get("next"):
                to = self.target(c.get("next"), c.where, nid)
            elif c.get("event"):
                to = self.event_target(c.get("event"), c.where, nid)
            else:
                to = self._dynamic(c, nid)
            phrases = choice_phrases(c)
            labels.append(phrases[0] if phrases else (key or ""))
            node.options.append(Option(target=to, key=key, phrases=phrases,
                                       label=phrases[0] if phrases else "", where=c.where))
        node.prompt = " ".join(_prompt(p) for p in m if p.tag == "prompt").replace("{choices}", ", ".join(labels))
        node.barge_in = _barge_in(m)
        node.no_input = self.policy("noinput", [m, self.root], nid)
        node.no_match = self.policy("nomatch", [m, self.root], nid)
        self.report.add(R.MAPPED, f"<menu> with {len(node.options)} choices", m.where, nid)
        self.nodes[nid] = node

    def form(self, f: Element) -> None:
        """A form's items in order: each item a node whose `next` is the following item."""
        fid = self.ids[id(f)]
        items = [i for i in f if i.tag in ("block", "field", "transfer", "subdialog", "record", "object")]
        if not items:
            self.nodes[fid] = unknown_node(fid, "<form> with no items", f.where, self.report)
            return
        item_ids = []
        taken = (set(self.nodes) | set(self.ids.values())) if len(items) > 1 else set()   # once per form
        for i, item in enumerate(items):
            base = fid if i == 0 else f"{fid}_{slug(item.get('name', ''), item.tag)}"
            item_ids.append(unique_id(base, taken) if i else fid)
            taken.add(item_ids[-1])
        names = {item.get("name"): item_ids[i] for i, item in enumerate(items) if item.get("name")}
        for i, item in enumerate(items):
            nid = item_ids[i]
            follow = item_ids[i + 1] if i + 1 < len(items) else "@hangup"
            node = getattr(self, f"item_{item.tag}")(item, nid, follow, f)
            self.nodes[nid] = node
        def item(target):   # <goto nextitem=...> names an item of this form
            return names.get(target.split("#item:")[1], "@hangup") if target and "#item:" in target else target
        for nid in item_ids:
            node = self.nodes[nid]
            node.next = item(node.next)
            for o in node.options:
                o.target = item(o.target)
            node.no_input.then, node.no_match.then = item(node.no_input.then), item(node.no_match.then)

    def _end_of_form(self, follow: str, where: Where, nid: str) -> str:
        if follow == "@hangup":
            self.report.add(R.MAPPED, "form ends without a transition: the document exits (hang-up)", where, nid)
        return follow

    def item_block(self, b: Element, nid: str, follow: str, form: Element) -> Node:
        prompt = _prompt(b)
        if any(t.get("event") == "ivr.unknown" for t in b.iter("throw")):   # our exporter's marker
            return Node(nid, "unknown", prompt=prompt, where=b.where)
        for e in b.iter():
            if e.tag in ("if", "elseif", "else") and e is not b:
                self.report.add(R.UNMAPPED, "conditional logic in a <block> not modelled (first branch taken)",
                                e.where, nid)
                break
        to = self.action(b, b.where, nid)
        if to == "@hangup":
            return Node(nid, "hangup", prompt=prompt, barge_in=_barge_in(b), where=b.where)
        if to is None:
            to = self._end_of_form(follow, b.where, nid)
            if to == "@hangup":
                return Node(nid, "hangup", prompt=prompt, barge_in=_barge_in(b), where=b.where)
        bargein = _barge_in(b)
        kind = "announcement" if prompt else "goto"
        return Node(nid, kind, prompt=prompt, next=to, barge_in=bargein, where=b.where)

    def item_transfer(self, t: Element, nid: str, follow: str, form: Element) -> Node:
        dest = t.get("dest") or t.get("destexpr") or ""
        node = transfer_node(nid, dest, "<transfer>", t.where, self.report, prompt=_prompt(t),
                             step_name=f"{form.get('id', '')} {t.get('name', '')}")
        return node

    def item_field(self, fld: Element, nid: str, follow: str, form: Element) -> Node:
        name = fld.get("name", nid)
        options: list[tuple[str, Option]] = []     # (the field's value when chosen, option)
        for opt in fld.iter("option"):
            o = Option(target="", key=opt.get("dtmf"), phrases=[text_of(opt)] if text_of(opt) else [],
                       label=text_of(opt) or opt.get("value", ""), where=opt.where)
            options.append(((opt.get("value") or text_of(opt) or opt.get("dtmf") or ""), o))
        for phrase in grammar_phrases(fld):
            options.append((phrase, Option(target="", phrases=[phrase], label=phrase, where=fld.where)))
        keys, unread = dtmf_keys(fld)
        for key in keys:
            options.append((key, Option(target="", key=key, label=key, where=fld.where)))
        for g in unread:
            self.report.add(R.UNMAPPED, f"<field {name}>: a DTMF grammar we cannot read (external or "
                            "rule references); its keys are not options", g.where, nid)
        ftype = (fld.get("type") or "").lower()
        boolean = ftype.startswith("boolean")
        if boolean:   # the VoiceXML boolean builtin: yes / 1 is true, no / 2 is false
            for key, val, word in (("1", "true", "yes"), ("2", "false", "no")):
                options.append((val, Option(target="", key=key, phrases=[word], label=word, where=fld.where)))
        filled = next((c for c in fld if c.tag == "filled"), None)
        if filled is None:
            filled = next((c for c in form if c.tag == "filled"), None)
        routes = self._routes(filled, name, nid, boolean) if filled is not None else []
        node = Node(nid, "input", prompt=_prompt(fld), where=fld.where, input_name=name, barge_in=_barge_in(fld),
                    timeout_s=_duration(self._property(fld, "timeout"), self.timeout))
        node.no_input = self.policy("noinput", [fld, form, self.root], nid)
        node.no_match = self.policy("nomatch", [fld, form, self.root], nid)
        if routes and options:
            node.kind = "menu"
            for value, o in options:
                o.target = self._route_for(value, routes, follow, fld, nid, name)
            node.options = [o for _, o in options]
            values = {v.lower() for v, _ in options}
            for (test, value), _to in routes:
                if test == "eq" and value.lower() not in values:
                    self.report.add(R.UNMAPPED, f"<field {name}>: a branch for value {value!r}, which is "
                                    "none of its options (never taken)", fld.where, nid)
            self.report.add(R.MAPPED, f"<field {name}> routed on its value -> menu", fld.where, nid)
            return node
        m = re.search(r"minlength=(\d+)", ftype), re.search(r"maxlength=(\d+)", ftype), re.search(r"length=(\d+)", ftype)
        if ftype.startswith("digits"):
            lo = count(m[0].group(1) if m[0] else m[2].group(1) if m[2] else 1, 1, most=MAX_DIGITS)
            hi = count(m[1].group(1) if m[1] else m[2].group(1) if m[2] else 20, 20, most=MAX_DIGITS)
            node.input_digits = (lo, max(lo, hi))
        if any(test != "else" for (test, _), _to in routes):
            conds = ", ".join(repr(v) for (t, v), _ in routes if t != "else")
            node.next = unique_id(f"{nid}_branches", self.nodes)
            self.nodes[node.next] = unknown_node(node.next, f"<field {name}> branches on the entered value "
                                                 f"({conds}); which branch a caller takes is not modelled",
                                                 fld.where, self.report)
        else:
            node.next = (routes[0][1] if routes else None) or self._end_of_form(follow, fld.where, nid)
        return node

    def _route_for(self, value: str, routes: list, follow: str, fld: Element, nid: str, name: str) -> str:
        """Where choosing `value` leads: the <filled> branches in order; a
        condition we cannot read before a match makes it an unknown node."""
        for (test, want), to in routes:
            if test == "else" or (test == "eq" and want.lower() == value.lower()):
                return to
            if test == "unread":
                uid = f"{nid}_cond_{slug(want, 'cond')}"[:60]
                if uid not in self.nodes:
                    self.nodes[uid] = unknown_node(uid, f"<field {name}>: condition {want!r} not understood; "
                                                   "where the choices it may catch go is unknown",
                                                   fld.where, self.report)
                return uid
        return follow

    def _routes(self, filled: Element, name: str, owner: str, boolean: bool = False) -> list:
        """((test, value), target) from a <filled>, in order; test is "eq",
        "unread" (a condition we cannot read) or "else" (also unconditional)."""
        routes: list = []
        conds = [e for e in filled.iter() if e.tag in ("if", "elseif", "else")]
        if not conds:
            to = self.action(filled, filled.where, owner)
            return [(("else", None), to)] if to else []
        # each if/elseif/else marker applies to the siblings that follow it up to the next marker
        for ifel in filled.iter("if"):
            branch, taken = cond_test(ifel.get("cond", ""), name, boolean), False
            for child in [ifel] + list(ifel):
                if child.tag in ("elseif", "else"):
                    branch, taken = (cond_test(child.get("cond", ""), name, boolean) if child.tag == "elseif"
                                     else ("else", None)), False
                elif child is not ifel and not taken:
                    to = self.action(child, child.where, owner)
                    if to:
                        routes.append((branch, to))
                        taken = True
        return routes

    def item_subdialog(self, e: Element, nid: str, follow: str, form: Element) -> Node:
        node = unknown_node(nid, f"<subdialog src={e.get('src') or e.get('srcexpr')!r}> (another dialog runs)",
                            e.where, self.report)
        node.next = follow
        return node

    def item_record(self, e: Element, nid: str, follow: str, form: Element) -> Node:
        node = unknown_node(nid, "<record>: the caller leaves a recording", e.where, self.report, prompt=_prompt(e))
        node.next = follow
        return node

    def item_object(self, e: Element, nid: str, follow: str, form: Element) -> Node:
        node = unknown_node(nid, f"<object classid={e.get('classid')!r}> (platform extension)", e.where, self.report)
        node.next = follow
        return node

    # --- global commands -------------------------------------------------
    def links(self, start: str) -> dict[str, Command]:
        cmds: dict[str, Command] = {}
        for link in self.root:
            if link.tag != "link":
                continue
            to = self.target(link.get("next"), link.where, "link") if link.get("next") else \
                self.event_target(link.get("event", ""), link.where, "link")
            to = start if to == "@start" else to
            node = self.nodes.get(to)
            name = {"@repeat": "repeat", "@back": "back", start: "main_menu"}.get(to)
            if node is not None and node.kind == "human":
                name = "human"
            if not name or name in cmds:
                self.report.add(R.UNMAPPED, f"document <link> to {to} is not one of the global commands "
                                "(human, repeat, back, main menu)", link.where)
                continue
            keys, unread = dtmf_keys(link)
            for g in unread:
                self.report.add(R.UNMAPPED, "a <link> DTMF grammar we cannot read; its keys are not modelled",
                                g.where)
            if len(keys) > 1:
                self.report.add(R.UNMAPPED, f"<link> DTMF grammar has keys {keys}; only {keys[0]!r} is the "
                                "command's key", link.where)
            cmds[name] = Command(name, key=link.get("dtmf") or (keys[0] if keys else None),
                                 phrases=grammar_phrases(link),
                                 target=to if name == "human" else "", where=link.where)
            self.report.add(R.MAPPED, f"document <link> -> global command {name!r}", link.where)
        for elem in self.root.iter("link"):
            if elem not in list(self.root):
                self.report.add(R.UNMAPPED, "a <link> inside a dialog (scoped command) is not modelled",
                                elem.where)
        return cmds

    def apply_hints(self) -> None:
        """Details our exporter stored in <meta name="ivr.node.ID"> (absent in other documents)."""
        for nid, hint in self.hints.items():
            node = self.nodes.get(nid)
            if node is None or not isinstance(hint, dict):
                continue
            kind = hint.get("kind")
            if kind in ("self_service", "work_order", "goto", "announcement", "unknown") and \
                    node.kind in ("announcement", "goto", "hangup"):
                node.kind = kind
            if node.kind == "human" and isinstance(hint.get("queue"), dict):
                q = hint["queue"]
                node.queue = Queue(**{k: v for k, v in q.items() if k in Queue.__dataclass_fields__})
            for attr in ("prompt", "category", "answer", "source", "knowledge_base", "note", "advert",
                         "duration_s", "input_name", "input_mode", "globals_off"):
                if attr in hint and hasattr(node, attr):
                    setattr(node, attr, hint[attr])

    def build(self) -> Menu:
        for d in self.dialogs:
            getattr(self, d.tag)(d)
        start = self.ids[id(self.dialogs[0])]
        cmds = self.links(start)
        self.apply_hints()
        lang = self.root.get("lang") or self.root.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
        title = next((m.get("content") for m in self.root.iter("meta") if m.get("name") == "title"), start)
        about = self.hints.get("__menu__", {})
        return Menu(id=about.get("id") or slug(title, start), title=title,
                    language=lang.split("-")[0] if lang.startswith("en-") else lang, start=start, nodes=self.nodes,
                    commands=cmds, languages=about.get("languages") or [lang],
                    priority_routes=about.get("priority_routes") or [], where=self.root.where,
                    guard={k: v for k, v in (about.get("guard") if isinstance(about.get("guard"), dict) else {}).items()
                           if (k, type(v)) in (("enabled", bool), ("max_failures", int))})


def import_menu(text: str, file: str, report: ImportReport, **_ignored) -> Menu:
    root = parse_xml(text.encode("utf-8"), file)
    return _Doc(root, file, report).build()
