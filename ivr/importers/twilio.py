"""Twilio Studio flows (the JSON of Studio's "Export flow" / REST `definition`).

The voice path starts at the Trigger's incomingCall transition. A
gather-input-on-call widget becomes a menu when the split-based-on widgets
after its keypress/speech events test `widgets.NAME.Digits` or
`.SpeechResult` against values (keys and phrases); otherwise it is an input
whose `next` is where any input goes. A transition without `next` ends the
flow, which hangs up. Studio has no built-in retries, so policies never
replay (retries 0). send-to-flex / enqueue-call reach people;
connect-call-to reaches a person only for a Twilio Client (an agent's app)
or a destination named like a queue/operator, else it is an external number.
Splits on other data, functions and HTTP requests are `unknown` nodes whose
options are their branches (the caller does not choose them).
"""
from __future__ import annotations

import json
from collections import deque

from ..errors import IvrError
from ..model import DTMF_KEYS, Menu, Node, Option, Policy, Where
from . import report as R
from .common import MAX_DIGITS, count, json_field_lines, number, slug, transfer_node, unknown_node
from .report import ImportReport

HUMAN_WIDGETS = ("send-to-flex", "enqueue-call")
SKIP_ON_CALL = ("send-message", "set-variables", "send-and-wait-for-reply")


def _load(text: str, file: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as err:
        raise IvrError(f"not valid JSON: {getattr(err, 'msg', err)}", "fix the JSON syntax",
                       Where(file, getattr(err, "lineno", 1), getattr(err, "colno", 1)), "bad-json") from None
    if isinstance(data, dict) and isinstance(data.get("definition"), dict):
        data = data["definition"]      # REST API resource wrapper
    if not isinstance(data, dict) or not isinstance(data.get("states"), list):
        raise IvrError("no 'states' list: not a Twilio Studio flow", "export the flow's JSON from Studio",
                       Where(file, 1, 1), "bad-format")
    data["states"] = [_clean(s) for s in data["states"] if isinstance(s, dict) and isinstance(s.get("name"), str)]
    if not isinstance(data.get("initial_state"), str):
        data["initial_state"] = "Trigger"
    return data


def _text(value) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)


def _clean(state: dict) -> dict:
    """A widget with the documented shape: names and events are text, transitions
    a list of {event, next, conditions}, properties a mapping (so odd files
    give odd menus, never a crash)."""
    raw = state.get("properties") if isinstance(state.get("properties"), dict) else {}
    props = {k: _text(v) for k, v in raw.items()}
    transitions = []
    for t in state.get("transitions") if isinstance(state.get("transitions"), list) else []:
        if not isinstance(t, dict):
            continue
        conds = [c for c in (t.get("conditions") if isinstance(t.get("conditions"), list) else [])
                 if isinstance(c, dict)]
        transitions.append({"event": _text(t.get("event")), "next": _text(t.get("next")) or None,
                            "conditions": [{k: _text(v) for k, v in c.items()} for c in conds]})
    return {"name": state["name"], "type": _text(state.get("type")), "transitions": transitions,
            "properties": props}


def _values(cond: dict) -> list[str]:
    v = str(cond.get("value", ""))
    if cond.get("type") == "matches_any_of":
        return [x.strip() for x in v.split(",") if x.strip()]
    return [v.strip()] if v.strip() else []


class _Flow:
    def __init__(self, data: dict, text: str, file: str, report: ImportReport):
        self.text, self.file, self.report = text, file, report
        self._lines: dict | None = None   # line of each state name, indexed on first use
        self.states = {s.get("name"): s for s in data["states"] if isinstance(s, dict) and s.get("name")}
        self.nodes: dict[str, Node] = {}
        self.ids = {name: slug(name, "widget") for name in self.states}
        self.todo: deque = deque()
        self.seen: set[str] = set()
        trigger = self.states.get(data.get("initial_state")) or next(
            (s for s in self.states.values() if s.get("type") == "trigger"), None)
        call = self.next_of(trigger or {}, "incomingCall")
        if not call:
            raise IvrError("the flow has no voice entry (Trigger → incomingCall is not connected)",
                           "connect the Trigger's Incoming Call transition", self.where(trigger), "no-voice-path")
        self.start = self.target(call)

    def where(self, state) -> Where:
        name = (state or {}).get("name", "")
        if self._lines is None:
            self._lines = json_field_lines(self.text)
        return Where(self.file, self._lines.get(("name", json.dumps(name)), 1) if name else 1, 1)

    @staticmethod
    def next_of(state: dict, event: str) -> str | None:
        for t in state.get("transitions", []) or []:
            if isinstance(t, dict) and t.get("event") == event:
                return t.get("next") or None
        return None

    def target(self, name: str | None) -> str:
        if not name:
            return "@hangup"
        if name not in self.states:
            nid = f"missing_{slug(name)}"
            self.nodes.setdefault(nid, unknown_node(nid, f"transition to {name!r}, which is not a widget of "
                                                    "this flow", Where(self.file, 1, 1), self.report))
            return nid
        if name not in self.seen:
            self.seen.add(name)
            self.todo.append(name)
        return self.ids[name]

    def split_options(self, split: dict, field: str, gather: str) -> tuple[list[Option], str | None] | None:
        """Options from a split that tests `widgets.<gather>.<field>`; None if it tests something else."""
        p = split.get("properties") or {}
        if f"widgets.{gather}.{field}" not in str(p.get("input", "")).replace(" ", ""):
            return None
        options = []
        where = self.where(split)
        for t in split.get("transitions", []) or []:
            if t.get("event") != "match":
                continue
            for cond in t.get("conditions", []) or []:
                kind = cond.get("type")
                if kind not in ("equal_to", "matches_any_of", "contains", "starts_with"):
                    self.report.add(R.UNMAPPED, f"condition {kind} {cond.get('value')!r} on {field} is not a "
                                    "key or phrase; not modelled", where, self.ids[split["name"]])
                    continue
                for v in _values(cond):
                    if field == "Digits":
                        if v in DTMF_KEYS:
                            options.append(Option(self.target(t.get("next")), key=v, label=cond.get("friendly_name") or v,
                                                  where=where))
                        else:
                            self.report.add(R.UNMAPPED, f"multi-digit entry {v!r} is not a single-key option",
                                            where, self.ids[split["name"]])
                    else:
                        options.append(Option(self.target(t.get("next")), phrases=[v.lower()],
                                              label=cond.get("friendly_name") or v, where=where))
        return options, self.next_of(split, "noMatch")

    def gather(self, s: dict, nid: str) -> Node:
        p = s.get("properties") or {}
        where = self.where(s)
        prompt = p.get("say") or (f"[audio {p['play']}]" if p.get("play") else "")
        node = Node(nid, "menu", prompt=prompt, where=where, timeout_s=number(p.get("timeout"), 5.0))
        options: list[Option] = []
        nomatch: list[str | None] = []
        free: list[tuple[str, str | None]] = []     # (event, next) for input that goes on whatever it is
        for event, field in (("keypress", "Digits"), ("speech", "SpeechResult")):
            nxt = self.next_of(s, event)
            split = self.states.get(nxt or "")
            found = self.split_options(split, field, s["name"]) if split and split.get("type") == "split-based-on" \
                else None
            if found is not None:
                options += found[0]
                nomatch.append(found[1])
                self.seen.add(split["name"])        # folded into this menu
                if not found[0]:
                    self.report.add(R.MAPPED, f"{event}: split {split['name']!r} has no conditions, so any "
                                    f"{field} goes to its noMatch ({found[1] or 'end of flow: hang-up'})", where, nid)
            elif nxt:
                free.append((event, nxt))
        for o in options:          # key 1 and "sales" to the same place: one option
            same = next((m for m in node.options if m.target == o.target and not (m.key and o.key)), None)
            if same:
                same.key, same.phrases = same.key or o.key, same.phrases + o.phrases
            else:
                node.options.append(o)
        no_match = next((n for n in nomatch if n), None)
        if len(set(nomatch)) > 1:
            self.report.add(R.UNMAPPED, f"wrong keys and wrong words go to different widgets {nomatch}; "
                            f"the model has one no-match path: {no_match or 'hang-up'}", where, nid)
        node.no_match = Policy(0, self.target(no_match), where)
        node.no_input = Policy(0, self.target(self.next_of(s, "timeout")), where)
        if not node.options:
            node.kind = "input"
            node.input_name = f"{s['name']}.{'SpeechResult' if any(e == 'speech' for e, _ in free) else 'Digits'}"
            if hasattr(node, "input_mode") and free and all(e == "speech" for e, _ in free):
                node.input_mode = "speech"
            node.next = self.target(free[0][1]) if free else node.no_match.then
            n = count(p.get("number_of_digits"), 0, most=MAX_DIGITS)
            node.input_digits = (n, n) if n else (1, 20)
            self.report.add(R.MAPPED, f"gather without key/phrase choices -> input, then {node.next}", where, nid)
        else:
            self.report.add(R.MAPPED, f"gather + split -> menu with {len(node.options)} options", where, nid)
            for event, nxt in free:
                self.report.add(R.UNMAPPED, f"{event}: any input goes to {nxt!r} besides the options; "
                                "not modelled", where, nid)
        return node

    def build_node(self, name: str) -> Node:
        s = self.states[name]
        nid, kind, p = self.ids[name], s.get("type", ""), s.get("properties") or {}
        where = self.where(s)
        if kind == "gather-input-on-call":
            return self.gather(s, nid)
        if kind == "say-play":
            if p.get("digits"):
                self.report.add(R.UNMAPPED, f"plays DTMF digits {p['digits']!r} (to another system)", where, nid)
            prompt = p.get("say") or (f"[audio {p['play']}]" if p.get("play") else "")
            return Node(nid, "announcement", prompt=prompt, next=self.target(self.next_of(s, "audioComplete")),
                        where=where)
        if kind in HUMAN_WIDGETS:
            queue = p.get("queue_name") or p.get("workflow") or p.get("channel") or kind
            return transfer_node(nid, str(queue), kind, where, self.report, queue_name=str(queue))
        if kind == "connect-call-to":
            noun, to = p.get("noun", "number"), str(p.get("to") or "")
            if noun == "client":
                return transfer_node(nid, to, "connect-call-to client (an agent's Twilio app)", where, self.report,
                                     queue_name=to or "client")
            return transfer_node(nid, to, f"connect-call-to {noun}", where, self.report, step_name=name)
        if kind in SKIP_ON_CALL or (kind == "split-based-on" and not any(
                t.get("event") == "match" for t in s.get("transitions", []))):
            first = next((t.get("next") for t in s.get("transitions", []) if t.get("next")), None)
            self.report.add(R.SKIPPED, f"{kind}: no choice for the caller; goes on to {first or 'the end'}",
                            where, nid)
            return Node(nid, "goto", next=self.target(first), where=where)
        what = {"split-based-on": f"branches on {p.get('input', 'data')!r}",
                "record-voicemail": "the caller leaves a voicemail"}.get(kind, f"{kind} widget")
        node = unknown_node(nid, what, where, self.report)
        for t in s.get("transitions", []) or []:
            label = t.get("event", "")
            if t.get("conditions"):
                label += " " + ", ".join(f"{c.get('type')} {c.get('value')}" for c in t["conditions"])
            node.options.append(Option(self.target(t.get("next")), label=label, where=where))
        return node

    def build(self, title: str) -> Menu:
        while self.todo:
            name = self.todo.popleft()
            nid = self.ids[name]
            if nid not in self.nodes:
                self.nodes[nid] = self.build_node(name)
        for name, s in self.states.items():
            if name not in self.seen and s.get("type") != "trigger":
                self.report.add(R.SKIPPED, f"widget {name!r} ({s.get('type')}) is not on the voice path",
                                self.where(s))
        lang = next((s.get("properties", {}).get("language") for s in self.states.values()
                     if s.get("type") == "gather-input-on-call"), None) or "en"
        return Menu(id=slug(title, "studio_flow"), title=title, language="en" if lang.startswith("en") else lang,
                    start=self.start, nodes=self.nodes, languages=[lang], where=Where(self.file, 1, 1))


def import_menu(text: str, file: str, report: ImportReport, **_ignored) -> Menu:
    data = _load(text, file)
    flow = _Flow(data, text, file, report)
    return flow.build(str(data.get("description") or "Twilio Studio flow"))
