"""Amazon Connect contact flows (flow language Version 2019-10-30), either the
export wrapper {Name, Type, Content: "<json string>"} or the bare flow.

Caller-facing actions become nodes: MessageParticipant (announcement),
GetParticipantInput (keypad menu, or an input when StoreInput is true),
ConnectParticipantWithLexBot (speech: intents become spoken options, no keys),
TransferContactToQueue (human), DisconnectParticipant (hangup),
TransferParticipantToThirdParty (external number). Actions the caller does
not notice (logging, voice, attributes, target queue, Lambda, modules) are
followed through their NextAction and listed as skipped with their error
branches. The queue set by UpdateContactTargetQueue is carried along the
path, so one transfer block reached from two queues gives two human nodes.
Connect blocks do not retry by themselves: errors go straight to their branch.
"""
from __future__ import annotations

import json
import re
from collections import deque

from ..errors import IvrError
from ..model import Menu, Node, Option, Policy, Where
from . import report as R
from .common import MAX_DIGITS, count, is_human_destination, json_field_lines, number, slug, transfer_node, unique_id, unknown_node
from .report import ImportReport

PASS_THROUGH = {
    "UpdateFlowLoggingBehavior", "UpdateContactTextToSpeechVoice", "UpdateFlowAttributes",
    "UpdateContactAttributes", "UpdateContactEventHooks", "UpdateContactRecordingBehavior",
    "UpdateContactRoutingBehavior", "UpdateContactData", "UpdateContactMediaStreamingBehavior",
    "UpdateContactTargetQueue", "InvokeLambdaFunction", "InvokeFlowModule", "UpdateContactCallbackNumber",
    "UpdatePreviousContactParticipantState", "CreateWisdomSession", "UpdateRoutingCriteria",
    "SetVoiceId", "UpdateContactRecordingAndAnalyticsBehavior",
}
SHORT = {"MessageParticipant": "message", "GetParticipantInput": "input", "ConnectParticipantWithLexBot": "lex",
         "TransferContactToQueue": "queue", "TransferToFlow": "flow", "DisconnectParticipant": "disconnect",
         "TransferParticipantToThirdParty": "third_party"}
TIMEOUT_ERRORS = ("InputTimeLimitExceeded",)
NOMATCH_ERRORS = ("NoMatchingCondition",)


def _flow(text: str, file: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as err:
        line = getattr(err, "lineno", 1)
        raise IvrError(f"not valid JSON: {getattr(err, 'msg', err)}", "fix the JSON syntax",
                       Where(file, line, getattr(err, "colno", 1)), "bad-json") from None
    if isinstance(data, dict) and isinstance(data.get("Content"), str):
        try:
            data = json.loads(data["Content"])
        except ValueError as err:
            raise IvrError(f"the export's Content is not valid flow JSON: {getattr(err, 'msg', err)}",
                           "re-export the flow", Where(file, 1, 1), "bad-json") from None
    elif isinstance(data, dict) and isinstance(data.get("Content"), dict):
        data = data["Content"]
    if not isinstance(data, dict) or not isinstance(data.get("Actions"), list):
        raise IvrError("no Actions list: not an Amazon Connect flow", "give a flow export (File > Export flow)",
                       Where(file, 1, 1), "bad-format")
    data["Actions"] = [_clean(a) for a in data["Actions"] if isinstance(a, dict) and isinstance(a.get("Identifier"), str)]
    return data


def _text(value) -> str | None:
    return value if isinstance(value, str) else None if value is None else json.dumps(value)


def _dicts(value) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _clean(action: dict) -> dict:
    """An action with the documented shape (text ids, dict parameters, lists of
    conditions and errors), so odd files give odd menus, never a crash."""
    raw = action.get("Parameters") if isinstance(action.get("Parameters"), dict) else {}
    params = {k: v if isinstance(v, dict) else _text(v) for k, v in raw.items()}
    tr = action.get("Transitions") if isinstance(action.get("Transitions"), dict) else {}
    conditions = []
    for c in _dicts(tr.get("Conditions")):
        cond = c.get("Condition") if isinstance(c.get("Condition"), dict) else {}
        operands = cond.get("Operands") if isinstance(cond.get("Operands"), list) else []
        conditions.append({"NextAction": _text(c.get("NextAction")), "Condition": {
            "Operator": _text(cond.get("Operator")) or "", "Operands": [_text(o) or "" for o in operands]}})
    errors = [{"NextAction": _text(e.get("NextAction")), "ErrorType": _text(e.get("ErrorType")) or ""}
              for e in _dicts(tr.get("Errors"))]
    return {"Identifier": action["Identifier"], "Type": _text(action.get("Type")) or "", "Parameters": params,
            "Transitions": {"NextAction": _text(tr.get("NextAction")), "Conditions": conditions, "Errors": errors}}


def _words(intent: str) -> str:
    """'CheckBalance' -> 'check balance' (how a caller would say a Lex intent)."""
    return " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", intent).replace("_", " ").split()).lower()


class _Flow:
    def __init__(self, flow: dict, text: str, file: str, report: ImportReport):
        self.file, self.text, self.report = file, text, report
        self._lines: dict | None = None   # line of each action Identifier, indexed on first use
        self.actions = {a.get("Identifier"): a for a in flow["Actions"] if isinstance(a, dict)}
        self.start = _text(flow.get("StartAction"))
        if self.start not in self.actions:
            raise IvrError(f"StartAction {self.start!r} is not an action of this flow", "re-export the flow",
                           Where(file, 1, 1), "bad-format")
        meta = flow.get("Metadata") if isinstance(flow.get("Metadata"), dict) else {}
        self.meta = meta.get("ActionMetadata") if isinstance(meta.get("ActionMetadata"), dict) else {}
        self.nodes: dict[str, Node] = {}
        self.ids: dict[tuple, str] = {}
        self.taken: set[str] = set()
        self.todo: deque = deque()

    def where(self, ident: str) -> Where:
        if self._lines is None:
            self._lines = json_field_lines(self.text)
        return Where(self.file, self._lines.get(("Identifier", json.dumps(ident)), 1), 1)

    def name_of(self, value) -> str:
        """A readable name for a queue / flow reference ($.FlowAttributes.x -> x, ARNs -> last part)."""
        v = str(value or "")
        m = re.match(r"\$\.FlowAttributes\.(.+)", v)
        if m:
            v = m.group(1)
        v = re.sub(r"\$\{[QFM]:([^:}]+):[QFM]\}", r"\1", v)
        return v.rstrip("/").split("/")[-1] or v

    def display(self, ident: str, param: str) -> str:
        """The name the flow editor shows for a parameter (queue, prompt), from the export's Metadata."""
        m = self.meta.get(ident)
        if not isinstance(m, dict):
            return ""
        for path in (("parameters", param, "displayName"), ("queue", "text"), ("promptName",)):
            v = m
            for step in path:
                v = v.get(step) if isinstance(v, dict) else None
            if isinstance(v, str) and v:
                return v
        return ""

    def follow(self, ident, queue: str, seen=None) -> tuple[str, str]:
        """Skip actions the caller does not notice; (first caller-facing id, queue set on the way)."""
        seen = seen or set()
        while ident in self.actions and self.actions[ident].get("Type") in PASS_THROUGH and ident not in seen:
            seen.add(ident)
            a = self.actions[ident]
            if a["Type"] == "UpdateContactTargetQueue":
                queue = self.display(ident, "QueueId") or self.name_of(a["Parameters"].get("QueueId") or queue)
            ident = (a.get("Transitions") or {}).get("NextAction")
        return ident, queue

    def target(self, ident, queue: str = "") -> str:
        """Node id for the caller-facing action reached from `ident` with `queue` set."""
        if not ident:
            return "@hangup"
        ident, queue = self.follow(ident, queue)
        if ident not in self.actions:
            nid = f"missing_{slug(str(ident))[:12]}"
            self.nodes.setdefault(nid, unknown_node(nid, f"NextAction {ident!r} is not in this flow",
                                                    Where(self.file, 1, 1), self.report))
            return nid
        a = self.actions[ident]
        key = (ident, queue)   # the same block reached with another target queue leads elsewhere
        if key not in self.ids:
            base = f"{SHORT.get(a.get('Type'), slug(str(a.get('Type', 'action'))))}_{slug(str(ident))[:8]}"
            if queue:
                base += f"_{slug(queue)}"
            self.ids[key] = unique_id(base, self.taken)   # a set kept up to date: no rebuild per action
            self.taken.add(self.ids[key])
            self.todo.append((ident, key[1], self.ids[key]))
        return self.ids[key]

    def errors(self, a: dict) -> dict[str, str]:
        return {e.get("ErrorType"): e.get("NextAction") for e in (a.get("Transitions") or {}).get("Errors", [])
                if isinstance(e, dict)}

    def prompt(self, p: dict, ident: str) -> str:
        text = p.get("Text") or p.get("SSML") or ""
        text = re.sub(r"<[^<>]*>", " ", str(text))   # SSML tags; [^<>]: a stray `<` costs no rescan
        if not text and p.get("PromptId"):
            text = f"[recorded prompt {self.display(ident, 'PromptId') or self.name_of(p['PromptId'])}]"
        return " ".join(text.split())

    def build_node(self, ident: str, queue: str, nid: str) -> Node:
        a = self.actions[ident]
        kind, p = a.get("Type"), a.get("Parameters") or {}
        tr = a.get("Transitions") or {}
        where = self.where(ident)
        if kind == "MessageParticipant":
            return Node(nid, "announcement", prompt=self.prompt(p, ident), next=self.target(tr.get("NextAction"), queue),
                        where=where)
        if kind == "DisconnectParticipant":
            return Node(nid, "hangup", where=where)
        if kind == "TransferContactToQueue":
            name = queue or "the queue set by the entry point"
            self.report.add(R.MAPPED, f"TransferContactToQueue -> human node (queue {name!r})", where, nid)
            return transfer_node(nid, name, "TransferContactToQueue", where, self.report, queue_name=name)
        if kind == "TransferToFlow":
            flow = self.name_of(p.get("ContactFlowId"))
            if queue and is_human_destination(flow):
                self.report.add(R.ASSUMED, f"TransferToFlow {flow!r} after the target queue was set to {queue!r}: "
                                "taken as queueing the contact (the flow's name says so; it is not in this file)",
                                where, nid)
                return transfer_node(nid, flow, "TransferToFlow", where, self.report, queue_name=queue)
            return unknown_node(nid, f"continues in another flow {flow!r} (not in this file)", where, self.report)
        if kind == "TransferParticipantToThirdParty":
            return transfer_node(nid, str(p.get("ThirdPartyPhoneNumber") or p.get("PhoneNumber") or "?"),
                                 "TransferParticipantToThirdParty", where, self.report, step_name=ident)
        if kind in ("GetParticipantInput", "ConnectParticipantWithLexBot"):
            return self.input(a, nid, queue, where)
        node = unknown_node(nid, f"{kind} block: its branches depend on data, not on the caller's choice", where,
                            self.report, prompt=self.prompt(p, ident))
        for cond in tr.get("Conditions", []) or []:
            c = cond.get("Condition") or {}
            node.options.append(Option(self.target(cond.get("NextAction"), queue),
                                       label=f"{c.get('Operator', '')} {c.get('Operands', '')}", where=where))
        for etype, to in self.errors(a).items():
            node.options.append(Option(self.target(to, queue), label=f"error {etype}", where=where))
        if tr.get("NextAction"):
            node.next = self.target(tr.get("NextAction"), queue)
        return node

    def input(self, a: dict, nid: str, queue: str, where: Where) -> Node:
        p, tr, ident = a.get("Parameters") or {}, a.get("Transitions") or {}, a["Identifier"]
        lex = a["Type"] == "ConnectParticipantWithLexBot" or "LexV2Bot" in p or "LexBot" in p
        errors = self.errors(a)
        default = tr.get("NextAction")
        node = Node(nid, "menu", prompt=self.prompt(p, ident), where=where,
                    timeout_s=number(p.get("InputTimeLimitSeconds"), 5.0))
        for cond in tr.get("Conditions", []) or []:
            for operand in (cond.get("Condition") or {}).get("Operands", []):
                to = self.target(cond.get("NextAction"), queue)
                if lex:
                    node.options.append(Option(to, phrases=[_words(str(operand))], label=str(operand), where=where))
                else:
                    key = str(operand)
                    node.options.append(Option(to, key=key if len(key) == 1 else None, label=key, where=where))
        nomatch = next((errors[e] for e in NOMATCH_ERRORS if e in errors), None) or errors.get("NoMatchingError") \
            or default
        timeout = next((errors[e] for e in TIMEOUT_ERRORS if e in errors), None)
        if timeout is None:
            timeout = nomatch
            self.report.add(R.ASSUMED, "no InputTimeLimitExceeded branch: silence taken as no match",
                            where, nid)
        node.no_match = Policy(0, self.target(nomatch, queue), where)
        node.no_input = Policy(0, self.target(timeout, queue), where)
        if str(p.get("StoreInput", "")).lower() == "true":
            node.kind, node.options = "input", []
            node.input_name = "stored customer input"
            node.next = self.target(default, queue)
            valid = p.get("InputValidation") if isinstance(p.get("InputValidation"), dict) else {}
            custom = valid.get("CustomValidation") if isinstance(valid.get("CustomValidation"), dict) else {}
            n = custom.get("MaximumLength")
            node.input_digits = (1, count(n, 20, most=MAX_DIGITS))
        if lex:
            self.report.add(R.MAPPED, f"Lex bot input: {len(node.options)} intents -> spoken options with no "
                            "keypad keys", where, nid)
        else:
            self.report.add(R.MAPPED, f"keypad input with {len(node.options)} options", where, nid)
        if not node.options and node.kind == "menu":
            node.kind = "input"
            node.next = self.target(default, queue)
        return node

    def build(self, name: str) -> Menu:
        start = self.target(self.start)
        while self.todo:
            ident, queue, nid = self.todo.popleft()
            self.nodes[nid] = self.build_node(ident, queue, nid)
        for ident, a in self.actions.items():
            t = a.get("Type")
            if t in PASS_THROUGH:
                errs = ", ".join(f"{k} -> {v}" for k, v in self.errors(a).items())
                self.report.add(R.SKIPPED, f"{t}: no effect on the caller's path" + (f" (error branches not "
                                f"modelled: {errs})" if errs and t.startswith("Invoke") else ""), self.where(ident))
        nodes = self.nodes
        if start not in nodes:   # the flow goes straight to a hang-up / missing action
            nodes = {"start": Node("start", "hangup", where=Where(self.file, 1, 1))}
            start = "start"
        return Menu(id=slug(name, "connect_flow"), title=name, language="en", start=start, nodes=nodes,
                    languages=["en"], where=Where(self.file, 1, 1))


def import_menu(text: str, file: str, report: ImportReport, **_ignored) -> Menu:
    flow = _flow(text, file)
    try:
        outer = json.loads(text)
    except (ValueError, RecursionError):
        outer = {}
    name = _text(outer.get("Name")) if isinstance(outer, dict) else ""
    return _Flow(flow, text, file, report).build(name or "Amazon Connect flow")
