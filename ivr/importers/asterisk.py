"""Asterisk dialplan IVRs (extensions.conf).

A context is run as Asterisk does: priorities of an extension in order
(numbers, `n`, `n(label)`, `same =>`), `include =>`d contexts matched too.
Playback/Background/Say* build the prompt; WaitExten (or Background as the
last priority) makes a menu whose options are the context's one-key
extensions, with `i` (invalid) and `t` (timeout) as no-match / no-input —
when they are missing Asterisk hangs up. Read(var,file,max,,attempts,timeout)
followed by GotoIf tests of ${var} is a menu; otherwise an input. Goto goes
on; Queue reaches people; Dial reaches a person only when its target is
named like one (queue/operator/agent...), else it is an external number;
Hangup and running out of priorities (autofallthrough) end the call.
One-digit patterns (`_X`, `_N`, `_Z`, `_[1-3]`) are one option per key
(an explicit key wins); `e` stands in for a missing `i` or `t`.
GotoIf on other data, GotoIfTime, AGI, VoiceMail and unknown applications
are `unknown` nodes, reported.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from ..errors import IvrError
from ..model import DTMF_KEYS, Menu, Node, Option, Policy, Where
from . import report as R
from .common import MAX_DIGITS, MAX_SECONDS, count, join_prompt, number, slug, sound_to_text, transfer_node, unique_id, \
    unknown_node
from .report import ImportReport

IGNORED = {"answer", "noop", "set", "wait", "ringing", "progress", "verbose", "log", "setcallerpres",
           "setvar", "setmusiconhold", "stopplaytones", "playtones", "waitfornoise", "waitforsilence",
           "setlanguage", "mixmonitor", "monitor", "userevent", "resetcdr", "nocdr", "setcdruserfield"}
SAY = {"saydigits", "saynumber", "sayalpha", "sayphonetic", "sayunixtime"}
MAX_STEPS = 10_000


@dataclass
class Step:
    app: str
    args: list[str]
    where: Where


@dataclass
class Context:
    name: str
    where: Where
    exts: dict[str, list[Step]] = field(default_factory=dict)
    labels: dict[tuple[str, str], int] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)


def split_args(text: str) -> list[str]:
    """Application arguments split on commas (or `|`) outside (), [], quotes."""
    out, depth, cur, quote = [], 0, "", False
    for ch in text:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "([{":
            depth += 1
        elif not quote and ch in ")]}":
            depth -= 1
        if ch in ",|" and depth == 0 and not quote:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def parse(text: str, file: str, report: ImportReport) -> dict[str, Context]:
    contexts: dict[str, Context] = {}
    variables: dict[str, str] = {}     # [globals]: substituted where a dialplan uses ${NAME}
    ctx: Context | None = None
    last_ext: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(?<!\\);.*", "", raw).strip()
        if not line:
            continue
        where = Where(file, lineno, 1)
        m = re.match(r"^\[([^\]]+)\]\s*(\(([^)]*)\))?", line)
        if m:
            name, opts = m.group(1).strip(), (m.group(3) or "")
            if "!" in opts:
                ctx = None   # a template: only used through inheritance
                report.add(R.SKIPPED, f"template context [{name}] (only inherited)", where)
                continue
            ctx = contexts.setdefault(name, Context(name, where))
            last_ext = None
            continue
        if ctx is not None and ctx.name == "globals":
            name, eq, value = line.partition("=")
            if eq:
                variables[name.strip()] = value.lstrip(">").strip()
            continue
        if ctx is None or ctx.name == "general":
            continue
        m = re.match(r"^(exten|same|include)\s*=>?\s*(.*)$", line, re.I)
        if not m:
            if re.match(r"^\w+\s*=", line):
                continue  # a setting like `static=yes`
            raise IvrError(f"cannot read this dialplan line: {raw.strip()!r}",
                           "write `exten => EXT,PRIORITY,App(args)` or `same => n,App(args)`", where, "bad-dialplan")
        kind, rest = m.group(1).lower(), m.group(2)
        if kind == "include":
            ctx.includes.append(rest.split(",")[0].strip())
            continue
        if kind == "exten":
            parts = rest.split(",", 2)
            if len(parts) < 3:
                raise IvrError(f"extension line needs EXT,PRIORITY,APP: {raw.strip()!r}", "add the missing parts",
                               where, "bad-dialplan")
            ext, prio, app = parts[0].strip(), parts[1].strip(), parts[2].strip()
            last_ext = ext
        else:
            if last_ext is None:
                raise IvrError("`same =>` before any `exten =>` in this context", "start with an exten line",
                               where, "bad-dialplan")
            prio, _, app = rest.partition(",")
            ext, prio, app = last_ext, prio.strip(), app.strip()
        if prio == "hint":
            continue
        am = re.match(r"^([\w]+)\s*(?:\((.*)\))?\s*$", app, re.S)
        if not am:
            raise IvrError(f"cannot read the application {app!r}", "write App(arguments)", where, "bad-dialplan")
        steps = ctx.exts.setdefault(ext, [])
        label = re.search(r"\(([^)]*)\)", prio)
        if label:
            ctx.labels[(ext, label.group(1))] = len(steps)
        steps.append(Step(am.group(1).lower(), split_args(am.group(2) or "") if am.group(2) else [], where))
        if len(steps) > MAX_STEPS:
            raise IvrError("too many priorities in one extension", "check the file", where, "too-large")
    contexts.pop("globals", None)
    contexts = {n: c for n, c in contexts.items() if n != "general" or c.exts}
    for c in contexts.values():
        expand_patterns(c, report)
    if not contexts:
        raise IvrError("no [context] with extensions in this file", "give an extensions.conf dialplan",
                       Where(file, 1, 1), "bad-format")
    if variables:
        pattern = re.compile(r"\$\{(" + "|".join(map(re.escape, variables)) + r")\}")
        for c in contexts.values():
            for steps in c.exts.values():
                for st in steps:
                    st.args = [pattern.sub(lambda m: variables[m.group(1)], a) for a in st.args]
    return contexts


CLASSES = {"X": "0123456789", "Z": "123456789", "N": "23456789"}


def pattern_keys(ext: str) -> list[str] | None:
    """The keys a one-digit pattern matches (`_X`, `_Z`, `_N`, `_5`, `_[1-3*]`), else None."""
    body = ext[1:] if ext.startswith("_") else None
    if body is None:
        return None
    if len(body) == 1:
        return list(CLASSES.get(body.upper(), body if body in DTMF_KEYS else "")) or None
    m = re.fullmatch(r"\[([0-9*#-]+)\]", body)
    if not m:
        return None
    keys, spec = [], m.group(1)
    for a, b in re.findall(r"([0-9*#])(?:-([0-9]))?", spec):
        keys += [str(d) for d in range(int(a), int(b) + 1)] if b and a.isdigit() else [a]
    return list(dict.fromkeys(keys)) or None


def expand_patterns(ctx: Context, report: ImportReport) -> None:
    """One-digit patterns become one extension per key (${EXTEN} filled in);
    a key of its own, or of a narrower pattern, wins as in Asterisk."""
    patterns = [(e, k) for e in ctx.exts if (k := pattern_keys(e))]
    for ext, keys in sorted(patterns, key=lambda p: len(p[1])):
        steps = ctx.exts.pop(ext)
        added = [k for k in keys if k not in ctx.exts]
        for key in added:
            ctx.exts[key] = [Step(st.app, [a.replace("${EXTEN}", key) for a in st.args], st.where)
                             for st in steps]
            ctx.labels.update({(key, lab): i for (e, lab), i in ctx.labels.items() if e == ext})
        report.add(R.MAPPED, f"pattern {ext} in [{ctx.name}] -> keys {', '.join(added) or 'none (all taken)'}",
                   steps[0].where)


class _Dialplan:
    def __init__(self, contexts: dict[str, Context], file: str, report: ImportReport):
        self.ctx, self.file, self.report = contexts, file, report
        self.nodes: dict[str, Node] = {}
        self.memo: dict[tuple, str] = {}
        self.taken: set[str] = set()     # node ids given out (a set: no rescan per node)
        self.todo: deque = deque()      # nodes named but not built yet: a worklist, not recursion,
                                         # so a chain of 10 000 Gotos costs no stack
        self.timeouts: dict[str, float] = {}
        self.ignored: set[str] = set()

    def exts(self, ctx: str, seen=None) -> dict[str, tuple[str, list[Step]]]:
        """Extensions matched in `ctx`: its own first, then included contexts'."""
        seen = seen or set()
        if ctx in seen or ctx not in self.ctx:
            return {}
        seen.add(ctx)
        out = {e: (ctx, s) for e, s in self.ctx[ctx].exts.items()}
        for inc in self.ctx[ctx].includes:
            for e, v in self.exts(inc, seen).items():
                out.setdefault(e, v)
        return out

    def goto(self, args: list[str], ctx: str, ext: str, where: Where) -> tuple[str, str, int] | None:
        """Goto([[context,]extension,]priority) -> (context, extension, step index)."""
        args = [a for a in args if a != ""] or ["1"]
        if len(args) == 1:
            c, e, p = ctx, ext, args[0]
        elif len(args) == 2:
            c, e, p = ctx, args[0], args[1]
        else:
            c, e, p = args[0], args[1], args[2]
        if any("$" in x for x in (c, e, p)):
            return None
        found = self.exts(c).get(e)
        if found is None:
            return None
        c = found[0]
        idx = int(p) - 1 if p.isdigit() else self.ctx[c].labels.get((e, p))
        return (c, e, idx) if idx is not None else None

    def run(self, ctx: str, ext: str, idx: int, via: Where) -> str:
        """Node id for a caller arriving at priority `idx` of `ext` in `ctx`."""
        key = (ctx, ext, idx)
        if key in self.memo:
            return self.memo[key]
        found = self.exts(ctx).get(ext)
        if found is None:
            nid = self.new_id(f"missing_{slug(ctx)}_{slug(ext)}")
            self.nodes[nid] = unknown_node(nid, f"goes to {ctx},{ext} which is not in this file", via, self.report)
            self.memo[key] = nid
            return nid
        ctx, steps = found
        first = idx
        while idx < len(steps) and steps[idx].app in IGNORED:   # Answer, Set, ... change nothing for the caller
            self.setting(ctx, steps[idx])
            idx += 1
        if (ctx, ext, idx) in self.memo:
            self.memo[key] = self.memo[(ctx, ext, idx)]
            return self.memo[key]
        base = slug(ctx) if ext == "s" and first == 0 else \
            f"{slug(ctx)}_{slug(ext, 'x')}" + (f"_{first + 1}" if first else "")
        nid = self.new_id(base)
        self.memo[key] = self.memo[(ctx, ext, idx)] = nid
        self.todo.append((nid, ctx, ext, steps, idx, via))
        return nid

    def new_id(self, base: str) -> str:
        nid = unique_id(base, self.taken)
        self.taken.add(nid)
        return nid

    def build_all(self) -> None:
        """Build the nodes named so far, and those their building names, in order."""
        while self.todo:
            nid, ctx, ext, steps, idx, via = self.todo.popleft()
            self.nodes[nid] = self.sequence(nid, ctx, ext, steps, idx, via)

    def setting(self, ctx: str, st: Step) -> None:
        """A step with no effect on the path; Set(TIMEOUT(response)=N) sets the menu timeout."""
        self.ignored.add(st.app)
        if st.app == "set" and st.args and re.match(r"TIMEOUT\(response\)=", st.args[0], re.I):
            self.timeouts[ctx] = number(st.args[0].split("=", 1)[1], 10.0, most=MAX_SECONDS)

    def continue_at(self, nid: str, ctx: str, ext: str, idx: int, steps: list[Step], where: Where) -> str:
        return self.run(ctx, ext, idx, where) if idx < len(steps) else "@hangup"

    def sequence(self, nid: str, ctx: str, ext: str, steps: list[Step], i: int, via: Where) -> Node:
        prompt: list[str] = []
        where = steps[i].where if i < len(steps) else via
        background = False

        def said(node_kind: str = "announcement", **kw) -> Node:
            return Node(nid, node_kind, prompt=join_prompt(prompt), where=where, **kw)

        def then(target: str) -> Node:
            """Prompts so far, then `target` (no node of our own when nothing was said)."""
            if prompt:
                return said(next=target)
            return Node(nid, "goto", next=target, where=where)

        while i < len(steps):
            st = steps[i]
            app, args = st.app, st.args
            if app in ("playback", "background", "controlplayback"):
                prompt += [sound_to_text(f) for f in (args[0] if args else "").split("&")]
                background = app == "background"
                if background and i + 1 == len(steps):
                    self.report.add(R.ASSUMED, "Background as the last priority: Asterisk waits for a key "
                                    "(response timeout) like WaitExten", st.where, nid)
                    return self.menu(nid, ctx, prompt, self.timeouts.get(ctx, 10.0), where)
            elif app in SAY:
                prompt.append(" ".join(args[:1]))
            elif app == "waitexten":
                timeout = number(args[0], self.timeouts.get(ctx, 10.0), most=MAX_SECONDS) if args and args[0] else \
                    self.timeouts.get(ctx, 10.0)
                return self.menu(nid, ctx, prompt, timeout, where)
            elif app == "read":
                return self.read(nid, ctx, ext, steps, i, prompt, where)
            elif app == "goto":
                target = self.goto(args, ctx, ext, st.where)
                if target is None:
                    return unknown_node(nid, f"Goto({','.join(args)}) to a place computed at run time or not "
                                        "in this file", st.where, self.report, prompt=join_prompt(prompt))
                return then(self.run(*target, st.where))
            elif app in ("gotoif", "gotoiftime", "execiftime"):
                return self.branch(nid, ctx, ext, steps, i, prompt, where)
            elif app == "queue":
                name = args[0] if args else "queue"
                return transfer_node(nid, name, "Queue", st.where, self.report, prompt=join_prompt(prompt),
                                     queue_name=name)
            elif app == "dial":
                dest = args[0] if args else ""
                return transfer_node(nid, dest, "Dial", st.where, self.report, prompt=join_prompt(prompt),
                                     step_name=f"{ctx} {ext}")
            elif app == "hangup":
                return said("hangup")
            elif app in ("voicemail", "voicemailmain", "agi", "eagi", "fastagi", "directory", "confbridge",
                         "meetme", "echo", "musiconhold", "page", "macro", "gosub", "stasis", "followme"):
                what = {"voicemail": "the caller leaves a voicemail", "agi": "an AGI script decides",
                        "gosub": "a subroutine runs", "macro": "a macro runs"}.get(app, f"runs {app}")
                return unknown_node(nid, f"{what} ({steps[i].app}({','.join(args)}))", st.where, self.report,
                                    prompt=join_prompt(prompt))
            elif app in IGNORED:
                self.setting(ctx, st)
            else:
                return unknown_node(nid, f"application {st.app}({','.join(args)}) is not modelled", st.where,
                                    self.report, prompt=join_prompt(prompt))
            i += 1
        self.report.add(R.MAPPED, f"{ctx},{ext}: no more priorities, so Asterisk hangs up (autofallthrough)",
                        where, nid)
        return said("hangup")

    def menu(self, nid: str, ctx: str, prompt: list[str], timeout: float, where: Where) -> Node:
        node = Node(nid, "menu", prompt=join_prompt(prompt), timeout_s=timeout, where=where)
        exts = self.exts(ctx)
        for ext, (c, steps) in exts.items():
            if ext in DTMF_KEYS:
                node.options.append(Option(self.run(c, ext, 0, steps[0].where), key=ext, label=ext,
                                           where=steps[0].where))
            elif ext not in ("s", "i", "t", "h", "e", "o", "a", "T", "fax") and not ext.isdigit() or \
                    (ext.isdigit() and len(ext) > 1):
                self.report.add(R.UNMAPPED, f"extension {ext!r} in [{c}] is dialled with several keys "
                                "(or is a pattern); not a single-key option", steps[0].where, nid)
        for code, attr, what in (("i", "no_match", "invalid key"), ("t", "no_input", "timeout")):
            if code in exts or "e" in exts:
                used = code if code in exts else "e"
                c, steps = exts[used]
                setattr(node, attr, Policy(0, self.run(c, used, 0, steps[0].where), steps[0].where))
                if used == "e":
                    self.report.add(R.MAPPED, f"[{ctx}] has no '{code}' extension: on {what} Asterisk runs "
                                    "the 'e' (exception) extension", steps[0].where, nid)
            else:
                setattr(node, attr, Policy(0, "@hangup", where))
                self.report.add(R.MAPPED, f"[{ctx}] has no '{code}' extension: on {what} Asterisk hangs up",
                                where, nid)
        return node

    def read(self, nid: str, ctx: str, ext: str, steps: list[Step], i: int, prompt: list[str],
             where: Where) -> Node:
        args = steps[i].args + [""] * 6
        var, files, maxdigits, attempts, timeout = args[0], args[1], args[2], args[4], args[5]
        prompt = prompt + [sound_to_text(f) for f in files.split("&")]
        tries = count(attempts, 1)
        node = Node(nid, "input", prompt=join_prompt(prompt), where=where, input_name=var,
                    timeout_s=number(timeout, 10.0, most=MAX_SECONDS) if timeout else 10.0,
                    input_digits=(1, count(maxdigits, 20, most=MAX_DIGITS)))
        j = i + 1
        options: list[Option] = []
        while j < len(steps) and steps[j].app == "gotoif":
            cond, _, dest = ",".join(steps[j].args).partition("?")
            m = re.search(r'"?\$\{' + re.escape(var) + r'\}"?\s*=\s*"?([0-9*#])"?\s*\]', cond)
            if not m:
                break
            yes = dest.split(":")[0].split(",")
            target = self.goto(yes, ctx, ext, steps[j].where)
            if target:
                to = self.run(*target, steps[j].where)
            else:
                to = self.new_id(f"{nid}_goto")
                self.nodes[to] = unknown_node(to, f"GotoIf to {dest!r} not in this file", steps[j].where, self.report)
            options.append(Option(to, key=m.group(1), label=m.group(1), where=steps[j].where))
            j += 1
        rest = self.continue_at(nid, ctx, ext, j, steps, where)
        if options:
            node.kind, node.options = "menu", options
            node.no_match = Policy(max(tries - 1, 0), rest, where)
            node.no_input = Policy(max(tries - 1, 0), rest, where)
            self.report.add(R.MAPPED, f"Read({var}) + GotoIf on ${{{var}}} -> menu with {len(options)} keys",
                            where, nid)
        else:
            node.next = rest
            node.no_input = node.no_match = Policy(max(tries - 1, 0), rest, where)
        return node

    def branch(self, nid: str, ctx: str, ext: str, steps: list[Step], i: int, prompt: list[str],
               where: Where) -> Node:
        st = steps[i]
        cond, _, dest = ",".join(st.args).partition("?")
        node = unknown_node(nid, f"{st.app}: branches on {cond or 'data'!r}, not on the caller's choice",
                            st.where, self.report, prompt=join_prompt(prompt))
        for label, part in zip(("true", "false"), (dest.split(":") + [""])[:2]):
            if part:
                target = self.goto(part.split(","), ctx, ext, st.where)
                if target:
                    node.options.append(Option(self.run(*target, st.where), label=f"{cond} {label}", where=st.where))
            else:
                node.options.append(Option(self.continue_at(nid, ctx, ext, i + 1, steps, st.where),
                                           label=f"{cond} {label}: next priority", where=st.where))
        return node

    def answers_callers(self, ctx: str) -> bool:
        """An IVR-like context: it plays a menu and waits for a key (not a dialling plan like
        [dundi-e164], which extensions.conf.sample lists first)."""
        return any(st.app in ("background", "waitexten", "read") for steps in self.ctx[ctx].exts.values()
                   for st in steps)

    def build(self, start: str | None) -> Menu:
        names = [c for c in self.ctx if c not in ("general", "globals")]
        if start and start not in self.ctx:
            raise IvrError(f"no context [{start}]", f"use one of: {', '.join(names)}", Where(self.file, 1, 1), "usage")
        first = start or next((c for c in names if self.answers_callers(c)), None) or \
            next((c for c in names if "s" in self.ctx[c].exts), names[0])
        if not start:
            self.report.add(R.ASSUMED, f"callers enter at [{first}]: the first context that asks them "
                            "(Background/WaitExten/Read); pick another with --start", self.ctx[first].where)
        ext = "s" if "s" in self.ctx[first].exts else next(iter(self.ctx[first].exts), None)
        if ext is None:
            raise IvrError(f"context [{first}] has no extensions", "add `exten => s,1,...`",
                           self.ctx[first].where, "bad-format")
        root = self.run(first, ext, 0, self.ctx[first].where)
        self.build_all()
        if self.ignored:
            self.report.add(R.SKIPPED, "no effect on the caller's path: " + ", ".join(sorted(self.ignored)),
                            Where(self.file, 1, 1))
        return Menu(id=slug(first, "dialplan"), title=f"Asterisk dialplan [{first}]", language="en", start=root,
                    nodes=self.nodes, languages=["en"], where=self.ctx[first].where)


def import_menu(text: str, file: str, report: ImportReport, start: str | None = None, **_ignored) -> Menu:
    contexts = parse(text, file, report)
    return _Dialplan(contexts, file, report).build(start)
