"""FreeSWITCH mod_dptools `ivr` menus (ivr.conf.xml / ivr_menus/*.xml).

Semantics follow switch_ivr_menu.c: each <menu> plays greet-long (greet-short
on replays), collects up to digit-len digits, and walks its <entry> list.
`max-failures` wrong entries or `max-timeouts` silences end the menu: it runs
`exec-on-max-failures`/`-timeouts` if set, then returns — a sub-menu returns to
the menu that opened it, the top menu returns to the dialplan (the stock
dialplan then hangs up; reported as an assumption). menu-top goes to the top
menu, menu-back leaves this menu, menu-exit leaves all menus.
Prompt text comes from phrase macros (`phrase:NAME`) found in the same file,
in the phrase file paired with it by name (demo_ivr.xml -> demo-ivr.xml or
demo_ivr_phrases.xml beside it; see phrase_files_beside), or in files passed
as `phrases=` (--phrases). Other XML files in the folder are never read.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import IvrError
from ..model import DTMF_KEYS, Menu, Node, Option, Policy, Where
from . import report as R
from .common import MAX_SECONDS, count, is_human_destination, join_prompt, number, slug, sound_to_text, transfer_node, unique_id, \
    unknown_node
from .report import ImportReport
from .safe_xml import Element, parse_xml, read_limited

DEFAULT_TIMEOUT_MS = 10000
DEFAULT_MAX_FAILURES = 3


def _stem(path: Path) -> str:
    return path.stem.lower().replace("-", "_")


def phrase_files_beside(file: str) -> list[Path]:
    """The phrase file paired with menu `file` by name, in the same folder:
    the same stem with `-` and `_` treated alike (FreeSWITCH's stock
    ivr_menus/demo_ivr.xml and lang/en/demo/demo-ivr.xml), or STEM_phrases.xml
    / STEM-phrases.xml. No other file is read: a folder holding many companies'
    menus must not mix their prompts (issue 15.11)."""
    menu = Path(file)
    if not file or not menu.parent.is_dir():
        return []
    wanted = {_stem(menu), _stem(menu) + "_phrases"}
    return sorted(p for p in menu.parent.glob("*.xml")
                  if _stem(p) in wanted and p.name != menu.name and p.is_file())


def _macros(root: Element, file: str, phrases) -> dict[str, Element]:
    """Phrase macros by name: this file, its paired phrase file, explicit files."""
    found: dict[str, Element] = {}
    sources = [root]
    explicit = [Path(p) for p in (phrases or [])]
    for path in explicit + phrase_files_beside(file):
        try:
            data = read_limited(path)
            if b"<macro" in data:
                sources.append(parse_xml(data, str(path)))
        except IvrError:
            if path in explicit:
                raise
    for src in sources:
        for macro in src.iter("macro"):
            found.setdefault(macro.get("name", ""), macro)
    return found


def _macro_text(macro: Element) -> str:
    """What a phrase macro says: the first <match> of each <input> (the usual
    catch-all pattern), files turned into words, `say`/`speak-text` data as is."""
    parts = []
    for inp in macro.iter("input"):
        match = inp.find("match")
        for action in (match if match is not None else []):
            func, data = action.get("function", ""), action.get("data", "")
            if func == "play-file":
                parts.append(sound_to_text(data))
            elif func in ("speak-text", "say"):
                parts.append(data if not data.startswith("$") else "")
        break
    return join_prompt(parts)


def _sound_text(sound: str, macros: dict[str, Element], where: Where, report: ImportReport) -> str:
    if not sound:
        return ""
    if sound.startswith("phrase:"):
        name = sound[len("phrase:"):].split(":")[0]
        if name in macros:
            return _macro_text(macros[name])
        report.add(R.UNMAPPED, f"phrase macro {name!r} not found; prompt text taken from its name "
                   "(pass the phrase file with --phrases)", where)
        return sound_to_text(name)
    return sound_to_text(sound)


class _Importer:
    def __init__(self, root: Element, file: str, report: ImportReport, macros: dict[str, Element]):
        self.file, self.report, self.macros = file, report, macros
        self.menus = [m for m in root.iter("menu")]
        if not self.menus:
            raise IvrError("no <menu> element in this FreeSWITCH file", "give an ivr.conf.xml or an "
                           "ivr_menus/*.xml file with <menu name=...> elements", Where(file, 1, 1), "bad-format")
        self.ids: dict[str, str] = {}
        self.nodes: dict[str, Node] = {}
        taken: set[str] = set()
        for m in self.menus:
            name = m.get("name", "")
            if not name:
                raise IvrError("<menu> without a name", "add name=\"...\"", m.where, "bad-format")
            if name in self.ids:
                report.add(R.SKIPPED, f"second <menu name={name!r}> ignored (FreeSWITCH uses the first)", m.where)
                continue
            self.ids[name] = unique_id(slug(name, "menu"), taken)   # one set: no rebuild per menu
            taken.add(self.ids[name])

    def app(self, node_id: str, param: str, where: Where, menu_id: str) -> str:
        """The target for running dialplan application `param` (`app args`)."""
        app, _, args = (param or "").strip().partition(" ")
        args = args.strip()
        if app == "hangup":
            self.report.add(R.MAPPED, "hangup application -> @hangup", where, menu_id)
            return "@hangup"
        if app in ("transfer", "execute_extension"):
            ext, _, context = args.partition(" ")
            how = f"{app} in {context.strip()}" if context.strip() else app
            self.nodes[node_id] = transfer_node(node_id, ext, how, where, self.report)
        elif app in ("bridge", "deflect", "redirect"):
            self.nodes[node_id] = transfer_node(node_id, args, app, where, self.report)
        elif app in ("callcenter", "fifo"):
            queue = args.split()[0] if args else app
            self.nodes[node_id] = transfer_node(node_id, args, app, where, self.report, queue_name=queue)
        elif app in ("playback", "phrase", "speak", "say"):
            text = _sound_text(args if app != "phrase" else f"phrase:{args}", self.macros, where, self.report)
            self.nodes[node_id] = Node(node_id, "announcement", prompt=text or args, next=menu_id, where=where)
            self.report.add(R.MAPPED, f"{app} {args} -> announcement, then back to the menu", where, node_id)
        elif app == "ivr" and args in self.ids:
            return self.ids[args]
        else:
            kind = "human" if is_human_destination(args) else "unknown"
            if kind == "human":
                self.nodes[node_id] = transfer_node(node_id, args, app, where, self.report)
            else:
                self.nodes[node_id] = unknown_node(node_id, f"runs application {app!r} {args!r}", where, self.report)
        return node_id

    def exhausted(self, menu: Element, menu_id: str, attr: str, what: str, top: bool) -> str:
        """Where the caller goes when the menu gives up after `what`."""
        app = menu.get(attr)
        if app:
            return self.app(f"{menu_id}_{what.replace(' ', '_')}", app, menu.where, menu_id)
        if top:
            self.report.add(R.ASSUMED, f"after {what} the top menu returns to the dialplan, which is not in "
                            "this file; mapped to @hangup (what the stock dialplan does)", menu.where, menu_id)
            return "@hangup"
        return "@back"

    def menu(self, menu: Element, top: bool) -> Node:
        name = menu.get("name", "")
        nid = self.ids[name]
        where = menu.where
        prompt = _sound_text(menu.get("greet-long", ""), self.macros, where, self.report)
        failures = count(menu.get("max-failures"), DEFAULT_MAX_FAILURES)
        timeouts = count(menu.get("max-timeouts"), failures)
        node = Node(nid, "menu", prompt=prompt, where=where,
                    timeout_s=number(menu.get("timeout"), DEFAULT_TIMEOUT_MS, most=MAX_SECONDS * 1000) / 1000,
                    no_match=Policy(failures - 1, self.exhausted(menu, nid, "exec-on-max-failures",
                                                                 "max failures", top), where),
                    no_input=Policy(timeouts - 1, self.exhausted(menu, nid, "exec-on-max-timeouts",
                                                                 "max timeouts", top), where))
        self.report.add(R.MAPPED, f"menu {name!r}: {failures} wrong entries or {timeouts} silences end it",
                        where, nid)
        notes, keys = [], set()
        for entry in menu.iter("entry"):
            self.entry(entry, node, top, keys, notes)
        node.note = "; ".join(notes)
        if not node.options:   # every key is wrong: the caller hears the greeting, then the menu gives up
            node.kind, node.next = "announcement", node.no_input.then
            self.report.add(R.ASSUMED, f"menu {name!r} has no single-key entries: taken as an announcement "
                            f"followed by what its silences lead to ({node.next})", where, nid)
        return node

    def entry(self, entry: Element, node: Node, top: bool, keys: set, notes: list) -> None:
        action, digits = entry.get("action", ""), entry.get("digits", "")
        param, where = entry.get("param", "").strip(), entry.where
        if digits not in DTMF_KEYS:
            what = f"dial pattern {digits!r} -> {action} {param}".strip()
            notes.append(what)
            self.report.add(R.UNMAPPED, f"{what}: multi-digit entries are not single-key options; "
                            "not modelled", where, node.id)
            return
        if digits in keys:
            self.report.add(R.SKIPPED, f"key {digits} listed again; FreeSWITCH uses the first entry", where, node.id)
            return
        keys.add(digits)
        sub_id = f"{node.id}_{slug(digits, 'key') if digits not in '*#' else {'*': 'star', '#': 'pound'}[digits]}"
        if action == "menu-sub":
            target = self.ids.get(param) or self._missing(sub_id, f"sub-menu {param!r} is not in this file", where)
        elif action == "menu-top":
            target = "@start" if not top else "@repeat"
        elif action == "menu-back":
            target = "@back" if not top else self.exhausted_exit(where, node.id, "menu-back")
        elif action == "menu-exit":
            target = self.exhausted_exit(where, node.id, "menu-exit")
        elif action == "menu-play-sound":
            text = _sound_text(param, self.macros, where, self.report)
            self.nodes[sub_id] = Node(sub_id, "announcement", prompt=text or param, next=node.id, where=where)
            target = sub_id
        elif action == "menu-exec-app":
            target = self.app(sub_id, param, where, node.id)
        else:
            target = self._missing(sub_id, f"unknown menu action {action!r} {param!r}", where)
        node.options.append(Option(target=target, key=digits, label=f"{action} {param}".strip(), where=where))

    def exhausted_exit(self, where: Where, nid: str, action: str) -> str:
        self.report.add(R.ASSUMED, f"{action} leaves the IVR for the dialplan (not in this file); "
                        "mapped to @hangup", where, nid)
        return "@hangup"

    def _missing(self, nid: str, what: str, where: Where) -> str:
        self.nodes[nid] = unknown_node(nid, what, where, self.report)
        return nid

    def build(self, start: str | None) -> Menu:
        names = list(self.ids)
        top = start if start in self.ids else names[0]
        if start and start not in self.ids:
            raise IvrError(f"no menu named {start!r}", f"use one of: {', '.join(names)}", Where(self.file, 1, 1),
                           "usage")
        for m in self.menus:
            name = m.get("name", "")
            if self.ids.get(name) and self.ids[name] not in self.nodes:
                self.nodes[self.ids[name]] = self.menu(m, name == top)
        return Menu(id=self.ids[top], title=f"FreeSWITCH IVR {top}", language="en", start=self.ids[top],
                    nodes=self.nodes, languages=["en"], where=self.menus[0].where)


def import_menu(text: str, file: str, report: ImportReport, phrases=None, start: str | None = None,
                **_ignored) -> Menu:
    root = parse_xml(text.encode("utf-8"), file)
    macros = _macros(root, file, phrases)
    menu = _Importer(root, file, report, macros).build(start)
    report.add(R.MAPPED, f"{sum(n.kind == 'menu' for n in menu.nodes.values())} menus; "
               f"{len(macros)} phrase macros available", Where(file, 1, 1))
    return menu
