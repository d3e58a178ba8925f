"""The breadth-first explorer: one fresh call per path, up to N at once.

At each menu found it tries every key (0-9 * #) and silence; each try is a
new call that replays the actions leading there. What is heard after the try
decides the edge: the same prompt again is a no-match (or a replay), a prompt
already known (by audio fingerprint) is an edge to that node, a new prompt is
a new node to explore, music is a queue for a person, a hang-up ends there.
Silence and one wrong key are then followed through their replays to where
they lead (no-input / no-match policies).

With --try-speech, the words heard for each key ("press 1 or say billing",
else the option's label) are then said at their menu, one call each, with
synthesised speech: where the call goes says whether the line understood.

Budgets (calls, line minutes, wall minutes) are checked before each call and
during it; `stop` (Ctrl-C, SIGTERM) ends the calls in progress and keeps the map.
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ..model import DTMF_KEYS
from . import fingerprint as fpr
from .line import Line, LineCall
from .listen import Heard, ListenSettings, listen

WAIT = "wait"  # the silence action: say nothing and listen
SAY = "say:"   # "say:billing": speak these words (--try-speech)
ENTRY_LENGTHS = (4, 3, 6, 8, 10, 5, 12)   # numbers tried where every digit alone is refused after a wait
DIGITS = "123456789"
WAITS_FOR_MORE_S = 1.5   # a digit refused after this much quiet was waited on (a number being collected);
                         # refused sooner, the node took it as a whole answer (a replay at once: a wrong key)


def is_entry(action: str) -> bool:
    """A number keyed in one go ("1111#"), not one key, silence or a wrong-key probe."""
    return len(action) > 1 and all(c in DTMF_KEYS for c in action)


def entry(length: int) -> str:
    return "1" * length + "#"


def phrases_to_try(node: "Node") -> dict[str, str]:
    """key -> the words to say for it: those the prompt offers ("or say
    billing"), else the option's label as heard."""
    return {key: node.said.get(key) or label for key, label in {**node.labels, **node.said}.items()
            if node.said.get(key) or label}


@dataclass
class Budget:
    max_calls: int = 500
    max_minutes: float = 60.0      # line minutes (all calls added up) and wall-clock minutes
    concurrent: int = 2
    pace_s: float = 1.0            # at least this long between two call starts
    ring_timeout_s: float = 30.0
    max_call_s: float = 300.0      # one call never lasts longer


@dataclass
class Node:
    id: str
    path: tuple[str, ...]              # actions from the start that reach it
    kind: str                          # menu | human | hangup | silent
    heard: Heard
    prints: list[np.ndarray] = field(default_factory=list)   # every form of its prompt heard
    edges: dict[str, str] = field(default_factory=dict)      # key -> node id / @hangup / @silent / @repeat
    no_input: Optional[tuple[int, str]] = None              # (replays, then where)
    no_match: Optional[tuple[int, str]] = None
    timeout_s: Optional[float] = None
    transcript: str = ""
    transcript_sure: bool = True        # False: kept below min_confidence because its keys agree
    labels: dict[str, str] = field(default_factory=dict)     # key -> label heard in the prompt
    said: dict[str, str] = field(default_factory=dict)       # key -> words offered instead ("or say billing")
    spoken: dict[str, tuple[str, str]] = field(default_factory=dict)   # key -> (words said, where they led)
    parent: Optional[str] = None        # the node whose probe found it
    twin_of: Optional[str] = None       # says the same as that node, reached elsewhere: the same node?
    entry: Optional[tuple[int, str]] = None   # a number of this many digits was taken, then where
    entry_tries: int = 0                # numbers tried so far (ENTRY_LENGTHS)
    reaction_s: dict[str, float] = field(default_factory=dict)   # key -> quiet before the line answered it

    @property
    def duration_s(self) -> float:
        return round(self.heard.duration_s, 2)


@dataclass
class CallLog:
    path: tuple[str, ...]              # the actions taken (silences followed included)
    heard: list[Heard]
    seconds: float
    answered: bool
    end_reason: str = ""


class Crawler:
    def __init__(self, line: Line, budget: Budget, listen_settings: Optional[ListenSettings] = None,
                 keys: tuple[str, ...] = DTMF_KEYS, follow: int = 3,
                 progress: Optional[Callable[[str], None]] = None):
        self.line, self.budget = line, budget
        self.listen = listen_settings or ListenSettings()
        self.keys, self.follow = keys, follow
        self.progress = progress or (lambda msg: None)
        self.nodes: dict[str, Node] = {}
        self.calls: list[CallLog] = []
        self.unsure: list[str] = []
        self.merged: list[tuple[str, str]] = []   # (twin, node): explored twice, found the same
        self.unexplored: set[str] = set()  # nodes with probes the crawl stopped before
        self.stopped = ""                  # why the crawl ended early ("" = finished)
        self.stop = threading.Event()
        self.line_seconds = 0.0
        self.started = time.monotonic()
        self._next_start = 0.0
        self._pace = threading.Lock()
        self.start_id: Optional[str] = None
        self.speak: Callable[[str], np.ndarray] = lambda words: np.zeros(0, np.float32)

    # ---- one call --------------------------------------------------------
    def place(self, path: tuple[str, ...], follow: int = 0) -> CallLog:
        """Dial, replay `path` (listening after each action), then listen
        `follow` more times without acting; always hang up."""
        with self._pace:  # pacing: calls start at least pace_s apart
            delay = self._next_start - time.monotonic()
            if delay > 0:
                self.stop.wait(delay)
            self._next_start = time.monotonic() + self.budget.pace_s
        call = self.line.dial(self.budget.ring_timeout_s)
        heard: list[Heard] = []
        try:
            if call.answered:
                heard.append(self._listen(call))
                for action in path + (WAIT,) * follow:
                    if call.ended or self.stop.is_set() or self._over_call(call):
                        break
                    if action.startswith(SAY):
                        call.say(self.speak(action[len(SAY):]))
                    elif action != WAIT:
                        for key in action:   # one key, or a number keyed in one go
                            call.press(key)
                    heard.append(self._listen(call))
                    if heard[-1].end in ("hangup", "music", "endless", "stopped") or (
                            action == WAIT and heard[-1].end == "silent"):
                        break
        finally:
            call.hangup()
        return CallLog(path + (WAIT,) * follow, heard, call.seconds, call.answered, call.end_reason)

    def _listen(self, call: LineCall) -> Heard:
        return listen(call, self.listen, self.stop)

    def _over_call(self, call: LineCall) -> bool:
        return call.seconds > self.budget.max_call_s

    # ---- budget ------------------------------------------------------------
    def budget_left(self, in_flight: int = 0) -> str:
        """"" while another call may be placed (`in_flight` calls are still on), else why not."""
        b = self.budget
        if self.stop.is_set():
            return self.stopped or "stopped"
        if len(self.calls) + in_flight >= b.max_calls:
            return f"call budget reached ({b.max_calls} calls)"
        if self.line_seconds / 60 >= b.max_minutes:
            return f"minute budget reached ({b.max_minutes:g} line minutes)"
        if (time.monotonic() - self.started) / 60 >= b.max_minutes:
            return f"time budget reached ({b.max_minutes:g} minutes)"
        return ""

    # ---- the crawl -----------------------------------------------------------
    def interrupt(self, why: str) -> None:
        """Stop now (Ctrl-C, SIGTERM): calls in progress hang up, the map so far is kept."""
        self.stopped = why
        self.stop.set()

    def run(self) -> None:
        first = self.place((), follow=0)
        self._record(first)
        if not first.answered or not first.heard:
            self.stopped = f"the line did not answer ({first.end_reason or 'no answer'})"
            return
        heard = first.heard[0]
        work: list[tuple[str, str]] = []   # (node id, probe)
        start = self._classify(heard, (), work)
        if start not in self.nodes:
            self.stopped = ("the line answered and hung up at once: it played nothing" if start == "@hangup"
                            else f"the line answered but played nothing for {self.listen.max_wait_s:g} s")
            return
        self.start_id = start
        self._explore(work)
        self._merge_twins()

    def try_phrases(self, speak: Callable[[str], np.ndarray]) -> None:
        """Say, at each menu, the words heard for each key (one call each):
        `speak(words)` gives them as audio at the line's rate."""
        self.speak = speak
        self._explore([(n.id, SAY + words) for n in list(self.nodes.values()) if n.kind == "menu"
                       for words in dict.fromkeys(phrases_to_try(n).values())])

    def _explore(self, work: list[tuple[str, str]]) -> None:
        """Run the probes in `work` (and those they add), up to `concurrent` calls at once."""
        with ThreadPoolExecutor(max_workers=max(1, self.budget.concurrent)) as pool:
            running: dict[Future, tuple[str, str]] = {}
            while work or running:
                while work and len(running) < self.budget.concurrent and not self.budget_left(len(running)):
                    nid, probe = work.pop(0)
                    node = self.nodes[nid]
                    path, follow = self._probe_path(node, probe)
                    running[pool.submit(self.place, path, follow)] = (nid, probe)
                if not running:
                    break
                done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                for fut in done:
                    nid, probe = running.pop(fut)
                    log = fut.result()
                    self._record(log)
                    self._integrate(self.nodes[nid], probe, log, work)
                    self.progress(f"calls {len(self.calls)}, nodes {len(self.nodes)}, "
                                  f"line minutes {self.line_seconds / 60:.1f} of {self.budget.max_minutes:g}")
            left = self.budget_left()
            if work and left:
                self.stopped = left
                self.unsure += [f"not tried ({left}): {probe} at {nid}" for nid, probe in work]
                self.unexplored |= {nid for nid, probe in work if not probe.startswith(SAY)}

    def _record(self, log: CallLog) -> None:
        self.calls.append(log)
        self.line_seconds += log.seconds

    def _enqueue(self, work: list, nid: str) -> None:
        if self.nodes[nid].kind == "menu":
            work += [(nid, k) for k in self.keys] + [(nid, WAIT)]

    def _probe_path(self, node: Node, probe: str) -> tuple[tuple[str, ...], int]:
        if probe == WAIT:
            return node.path + (WAIT,), self.follow
        if probe.startswith("wrong:"):   # one wrong key, pressed again after each replay
            return node.path + (probe[6:],) * (self.follow + 1), 0
        return node.path + (probe,), 0

    # ---- what was heard ------------------------------------------------------
    def _known(self) -> dict[str, np.ndarray]:
        return {f"{n.id}|{i}": p for n in self.nodes.values() if n.twin_of is None for i, p in enumerate(n.prints)}

    def _ancestors(self, nid: Optional[str]) -> list[str]:
        """`nid` and the nodes whose probes led to it, nearest first: where this call has been."""
        out = []
        while nid is not None and nid not in out:
            out.append(nid)
            nid = self.nodes[nid].parent
        return out

    def _classify(self, heard: Heard, path: tuple[str, ...], work: Optional[list] = None,
                  here: Optional[str] = None) -> str:
        """The node id (or @hangup / @silent) `heard` is. An unknown prompt is
        a new node reached by `path` from `here`, queued in `work` to be explored.
        A prompt that a twin also says is the twin where this call has been."""
        nid, fp = self._match(heard, path, here)
        if nid == "@new":
            return self._new(path, self._kind(heard), heard, fp, work, here)
        return nid

    def _where_been(self, nid: str, here: Optional[str]) -> str:
        """`nid`, or its twin where this call has been (a twin says the same words)."""
        same = {nid} | {n.id for n in self.nodes.values() if n.twin_of == nid}
        if len(same) == 1:
            return nid
        return next((a for a in self._ancestors(here) if a in same), nid)

    @staticmethod
    def _kind(heard: Heard) -> str:
        return {"gap": "menu", "hangup": "hangup", "music": "human", "endless": "human"}[heard.end]

    def _match(self, heard: Heard, path: tuple[str, ...], here: Optional[str]) -> tuple[str, Optional[np.ndarray]]:
        """(the known node `heard` is, or @hangup / @silent / @stopped, or
        @new with its fingerprint)."""
        if heard.end == "stopped":
            return "@stopped", None
        if heard.end == "silent" or (not heard.sound and heard.end != "hangup"):
            return "@silent", None
        if not heard.sound:
            return "@hangup", None
        kind = self._kind(heard)
        samples = heard.samples[:int(5 * 8000)] if kind == "human" else heard.samples
        fp = fpr.fingerprint(samples)
        if len(fp) < fpr.MIN_FRAMES:
            self.unsure.append(f"a prompt of {heard.duration_s:.1f} s after {' '.join(path) or 'answer'} "
                               "is too short to fingerprint: taken as new")
        known = {k: v for k, v in self._known().items() if self.nodes[k.split("|")[0]].kind == kind}
        found = fpr.match(fp, known)
        if found:
            key, how = found
            nid = self._where_been(key.split("|")[0], here)
            if how == "suffix":   # a shorter form of it (without an intro): keep both forms
                self.nodes[nid].prints.append(fp)
            if how == "replay":   # something, then that prompt: a message before it?
                return self._message_before(heard, known[key], nid, path, here), None
            return nid, None
        return "@new", fp

    def _new(self, path: tuple[str, ...], kind: str, heard: Heard, fp: np.ndarray, work: Optional[list],
             here: Optional[str] = None, twin_of: Optional[str] = None) -> str:
        nid = f"n{len(self.nodes)}"
        while nid in self.nodes:   # ids of merged twins are not reused
            nid += "_"
        self.nodes[nid] = Node(nid, path, kind, heard, [fp], parent=here, twin_of=twin_of)
        if work is not None:
            self._enqueue(work, nid)
        return nid

    def _message_before(self, heard: Heard, prompt: np.ndarray, nid: str, path: tuple[str, ...],
                        here: Optional[str] = None) -> str:
        """`heard` is a message followed by node `nid`'s prompt ("Your balance
        is ..." then the menu again; "Invalid option" then the menu): the
        message is an announcement node leading to `nid` (a bare replay is `nid`)."""
        from .line import RATE, first_sound
        cut = max(0, len(heard.samples) - (len(prompt) * fpr.HOP + fpr.FRAME))
        message = heard.samples[:cut]
        reversed_start = first_sound(message[::-1])
        if reversed_start is None or (len(message) / RATE - reversed_start) < 0.8:
            return nid
        message = message[:len(message) - int(reversed_start * RATE)]
        fp = fpr.fingerprint(message)
        for n in self.nodes.values():   # where the message was cut is approximate: lengths may differ a little
            if n.kind == "announcement" and n.edges.get("next") == nid and any(
                    abs(len(p) - len(fp)) <= 0.25 * max(len(p), len(fp)) and fpr.similarity(p, fp) > fpr.SAME_CORR
                    for p in n.prints):
                return n.id
        part = Heard("gap", heard.lead_s, len(message) / RATE, message)
        aid = self._new(path, "announcement", part, fp, None, here)
        self.nodes[aid].edges["next"] = nid
        return aid

    def _integrate(self, node: Node, probe: str, log: CallLog, work: list) -> None:
        depth = len(node.path)
        if len(log.heard) <= depth + 1:   # the call ended before the probe was heard
            why = log.end_reason or "the call ended early"
            self.unsure.append(f"{probe} at {node.id}: nothing heard after it ({why})")
            if self.stop.is_set():
                self._unexplored(node, probe)
            return
        if probe == WAIT or probe.startswith("wrong:"):
            self._policy(node, "no_input" if probe == WAIT else "no_match", log, work)
            return
        heard = log.heard[depth + 1]
        known = set(self.nodes)
        target = self._classify(heard, log.path[:depth + 1], work, node.id)
        if target == "@stopped":
            self._unexplored(node, probe)
            return
        if probe.startswith(SAY):
            words = probe[len(SAY):]
            for key, said in phrases_to_try(node).items():
                if said == words:
                    node.spoken[key] = (words, target)
            return
        if target in known:
            target = self._twin_check(node, log.path[:depth + 1], heard, target, work)
        if is_entry(probe):
            self._entry_result(node, probe, target, work, fresh=target not in known)
            return
        node.edges[probe] = target
        node.reaction_s[probe] = heard.lead_s
        if target == node.id and node.no_match is None:
            node.no_match = (1, "@repeat")    # known so far: one replay; the wrong-key probe follows it
            work.append((node.id, f"wrong:{probe}"))
        digits = [k for k in self.keys if k in DIGITS]
        if digits and node.entry_tries == 0 and all(self._back_here(node.edges.get(k), node.id) for k in digits) \
                and all(node.reaction_s.get(k, 0.0) >= WAITS_FOR_MORE_S for k in digits):
            # every digit alone is refused after a wait for more: it collects a number; key one
            # in to hear what follows. (Refused at once, each key is a wrong answer: a number
            # there is wrong keys in a row, and they run on into where those lead: seen over SIP
            # at the hotline's spoken-answer nodes, where the 4th 1 of 1111# asked the queue of
            # the no-match's person for a call-back and the line hung up: "a number was taken".)
            node.entry_tries = 1
            work.append((node.id, entry(ENTRY_LENGTHS[0])))

    def _unexplored(self, node: Node, probe: str) -> None:
        """The crawl stopped before `probe` was heard out: the map does not know
        all of `node` (a phrase not said leaves its keys' map whole)."""
        if not probe.startswith(SAY):
            self.unexplored.add(node.id)

    def _back_here(self, target: Optional[str], nid: str) -> bool:
        """`target` is `nid` again, or a message and then `nid` ("invalid option", the menu)."""
        other = self.nodes.get(target or "")
        return target == nid or bool(other and other.kind == "announcement" and other.edges.get("next") == nid)

    def _entry_result(self, node: Node, probe: str, target: str, work: list, fresh: bool) -> None:
        """A number keyed in: taken (where it led), or refused (try the next length)."""
        if node.no_match and target == node.no_match[1]:
            return   # where wrong keys lead: each key was a wrong key, it takes no number
        if not self._back_here(target, node.id) and target != "@silent":
            node.entry = (len(probe) - 1, target)
            return
        if fresh and target in self.nodes:   # keys cutting the prompt off, then the prompt: no message
            del self.nodes[target]
        if node.entry_tries < len(ENTRY_LENGTHS):
            work.append((node.id, entry(ENTRY_LENGTHS[node.entry_tries])))
            node.entry_tries += 1
        else:
            self.unsure.append(f"{node.id}: every digit alone is refused, and so is a number of "
                               f"{', '.join(map(str, ENTRY_LENGTHS))} digits")

    def _twin_check(self, node: Node, path: tuple[str, ...], heard: Heard, target: str, work: list) -> str:
        """A known menu's words heard where this call has not been: the same
        node reached another way, or another node saying the same words (two
        area-code entries, each leading to its own request)? Explored as a twin;
        merged back at the end when it behaves the same (_merge_twins)."""
        other = self.nodes.get(target)
        if (other is None or other.kind != "menu" or other.twin_of is not None or node.twin_of is not None
                or target in self._ancestors(node.id)):
            return target
        return self._new(path, "menu", heard, other.prints[0], work, node.id, twin_of=target)

    def _merge_twins(self) -> None:
        """Twins that did what their original did (every key tried on both to
        the same place, the same number taken to the same place) are that node."""
        for twin in [n for n in self.nodes.values() if n.twin_of]:
            orig = self.nodes[twin.twin_of]
            same = lambda t: orig.id if t == twin.id else t   # noqa: E731
            keys = (set(twin.edges) & set(orig.edges)) - {"next"}
            twin_entry = twin.entry and (twin.entry[0], same(twin.entry[1]))
            if any(same(twin.edges[k]) != orig.edges[k] for k in keys) or twin_entry != orig.entry:
                twin.twin_of = None    # a node of its own that says the same words
                continue
            del self.nodes[twin.id]
            self.merged.append((twin.id, orig.id))
            for n in self.nodes.values():
                n.edges = {k: same(t) for k, t in n.edges.items()}
                if n.entry:
                    n.entry = (n.entry[0], same(n.entry[1]))
                for policy in ("no_input", "no_match"):
                    if getattr(n, policy):
                        setattr(n, policy, (getattr(n, policy)[0], same(getattr(n, policy)[1])))
                if n.parent == twin.id:
                    n.parent = orig.id

    def _policy(self, node: Node, which: str, log: CallLog, work: list) -> None:
        """Replays of `node` in a row after silence / a wrong key, then where the call went."""
        depth = len(node.path)
        replays, then = 0, "@repeat"
        for i, heard in enumerate(log.heard[depth + 1:]):
            where = self._classify(heard, log.path[:depth + i + 1], work, node.id)
            if where == "@stopped":
                self.unexplored.add(node.id)   # silence or wrong keys not followed out
                return
            if where == node.id:
                replays += 1
                continue
            then = where
            break
        if then == "@repeat":
            what = "silence" if which == "no_input" else "wrong keys"
            self.unsure.append(f"{what} at {node.id}: still replaying after {replays} replays")
        if which == "no_input":
            node.timeout_s = round(self.listen.gap_s + log.heard[depth + 1].lead_s, 1)
            node.no_input = (replays, then)
        else:
            node.no_match = (replays, then)
