"""The breadth-first explorer: one fresh call per path, up to N at once.

At each menu found it tries every key (0-9 * #) and silence; each try is a
new call that replays the actions leading there. What is heard after the try
decides the edge: the same prompt again is a no-match (or a replay), a prompt
already known (by audio fingerprint) is an edge to that node, a new prompt is
a new node to explore, music is a queue for a person, a hang-up ends there.
Silence and one wrong key are then followed through their replays to where
they lead (no-input / no-match policies).

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
    labels: dict[str, str] = field(default_factory=dict)     # key -> label heard in the prompt

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
        self.stopped = ""                  # why the crawl ended early ("" = finished)
        self.stop = threading.Event()
        self.line_seconds = 0.0
        self.started = time.monotonic()
        self._next_start = 0.0
        self._pace = threading.Lock()
        self.start_id: Optional[str] = None

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
                    if action != WAIT:
                        call.press(action)
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
        return {f"{n.id}|{i}": p for n in self.nodes.values() for i, p in enumerate(n.prints)}

    def _classify(self, heard: Heard, path: tuple[str, ...], work: Optional[list] = None) -> str:
        """The node id (or @hangup / @silent) `heard` is. An unknown prompt is
        a new node reached by `path`, queued in `work` to be explored."""
        if heard.end == "stopped":
            return "@stopped"
        if heard.end == "silent" or (not heard.sound and heard.end != "hangup"):
            return "@silent"
        if not heard.sound:
            return "@hangup"
        kind = {"gap": "menu", "hangup": "hangup", "music": "human", "endless": "human"}[heard.end]
        samples = heard.samples[:int(5 * 8000)] if kind == "human" else heard.samples
        fp = fpr.fingerprint(samples)
        if len(fp) < fpr.MIN_FRAMES:
            self.unsure.append(f"a prompt of {heard.duration_s:.1f} s after {' '.join(path) or 'answer'} "
                               "is too short to fingerprint: taken as new")
        known = {k: v for k, v in self._known().items() if self.nodes[k.split("|")[0]].kind == kind}
        found = fpr.match(fp, known)
        if found:
            key, how = found
            nid = key.split("|")[0]
            if how == "suffix":   # a shorter form of it (without an intro): keep both forms
                self.nodes[nid].prints.append(fp)
            if how == "replay":   # something, then that prompt: a message before it?
                return self._message_before(heard, known[key], nid, path)
            return nid
        return self._new(path, kind, heard, fp, work)

    def _new(self, path: tuple[str, ...], kind: str, heard: Heard, fp: np.ndarray, work: Optional[list]) -> str:
        nid = f"n{len(self.nodes)}"
        self.nodes[nid] = Node(nid, path, kind, heard, [fp])
        if work is not None:
            self._enqueue(work, nid)
        return nid

    def _message_before(self, heard: Heard, prompt: np.ndarray, nid: str, path: tuple[str, ...]) -> str:
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
            if n.kind == "announcement" and any(
                    abs(len(p) - len(fp)) <= 0.25 * max(len(p), len(fp)) and fpr.similarity(p, fp) > fpr.SAME_CORR
                    for p in n.prints):
                return n.id
        part = Heard("gap", heard.lead_s, len(message) / RATE, message)
        aid = self._new(path, "announcement", part, fp, None)
        self.nodes[aid].edges["next"] = nid
        return aid

    def _integrate(self, node: Node, probe: str, log: CallLog, work: list) -> None:
        depth = len(node.path)
        if len(log.heard) <= depth + 1:   # the call ended before the probe was heard
            why = log.end_reason or "the call ended early"
            self.unsure.append(f"{probe} at {node.id}: nothing heard after it ({why})")
            return
        if probe == WAIT or probe.startswith("wrong:"):
            self._policy(node, "no_input" if probe == WAIT else "no_match", log, work)
            return
        target = self._classify(log.heard[depth + 1], log.path[:depth + 1], work)
        if target == "@stopped":
            return
        node.edges[probe] = target
        if target == node.id and node.no_match is None:
            node.no_match = (1, "@repeat")    # known so far: one replay; the wrong-key probe follows it
            work.append((node.id, f"wrong:{probe}"))

    def _policy(self, node: Node, which: str, log: CallLog, work: list) -> None:
        """Replays of `node` in a row after silence / a wrong key, then where the call went."""
        depth = len(node.path)
        replays, then = 0, "@repeat"
        for i, heard in enumerate(log.heard[depth + 1:]):
            where = self._classify(heard, log.path[:depth + i + 1], work)
            if where == "@stopped":
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
