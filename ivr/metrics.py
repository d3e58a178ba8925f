"""How far a caller is from a person, and how long they must listen.

The menu is turned into integer edge arrays once (one pass over the nodes);
every measure is then a shortest-path or reachability query: by
scipy.sparse.csgraph in C for big menus, so a menu of a million nodes is
audited in seconds, and by a few lines of heapq for menus people write (scipy's
import alone costs 0.3-0.6 s, most of a one-menu `ivr audit`).

Edges, from the caller's point of view:
  * key    — a key press: a keyed option, a global command's key (1 action)
  * voice  — an utterance: an option's or a global command's phrases (1 action)
  * input  — entering digits at an input node, then `next` (1 action, keys or voice)
  * auto   — the node moves on by itself after its prompt (0 actions)
  * policy — silence or a wrong input, after the retries (used for reachability
             and loops, never counted as a way to reach a person on purpose)

Steps to a human are fewest actions; time to a human is the seconds the
caller cannot skip on such a fewest-step path (prompts that cannot be barged
in on, announcements that move on by themselves, the transfer announcement)
plus the Erlang C expected wait of the queue when its parameters are given
(a queue with no agents never answers: its wait is infinite).
A spoken digit ("zero") is not counted as a voice command: the voice
guarantee means the caller can ask in words ("agent", "转人工").
"""
from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .config import DEFAULTS
from .model import COMMAND_TARGETS, TERMINAL_KINDS, Menu, Node, Queue
from .queueing.erlang import erlang_c
from .timing import prompt_seconds

AUTO, KEY, VOICE, INPUT, POLICY = 0, 1, 2, 3, 4
AUTO_KINDS = ("announcement", "self_service", "work_order", "goto")
INF = math.inf


@dataclass
class Graph:
    """The menu as edge arrays. Node i is menu node ids[i]; two virtual nodes
    follow: HANGUP (= n, the call ends) and SINK (= n+1, behind every human)."""
    ids: list[str]
    index: dict[str, int]
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray          # AUTO / KEY / VOICE / INPUT / POLICY
    ms: np.ndarray            # milliseconds the caller cannot skip on this edge
    wait_ms: np.ndarray = None  # expected queue wait (only on human -> SINK edges)
    _orders: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    def order(self, reverse: bool) -> np.ndarray:
        """Edge numbers sorted by source (or by target when reversed), sorted
        once: every search's matrix is a masked slice of this order."""
        if reverse not in self._orders:
            self._orders[reverse] = np.argsort(self.dst if reverse else self.src, kind="stable")
        return self._orders[reverse]


SPECIAL = {"@back": -1, "@repeat": -3}   # -1: no edge (needs call history); -3: the edge's own source
BOTH = 5                                 # an option with a key and words: one key edge and one voice edge


def _seconds(menu: Menu, config: dict, cache: dict, node: Node) -> float:
    """prompt_seconds, cached by the text it depends on (generated menus repeat prompts)."""
    if node.duration_s is not None:
        return float(node.duration_s)
    key = (node.prompt, node.answer) if node.kind == "self_service" else (node.prompt or node.answer)
    got = cache.get(key)
    if got is None:
        got = cache[key] = prompt_seconds(node, menu.language, config)
    return got


class PolicyTable(Mapping):
    """What silence (or wrong input) does at each menu/input node, as arrays:
    the outcome code (index into OUTCOMES), the retries, the target text.
    Reads like a dict node id -> {"retries", "then", "outcome"}."""

    def __init__(self, ids: list[str], rows: np.ndarray, code: np.ndarray, retries: np.ndarray, then: list):
        self.ids, self.rows, self.code, self.retries, self.then = ids, rows, code, retries, then
        self._pos: Optional[dict] = None

    def __getitem__(self, nid: str) -> dict:
        if self._pos is None:
            self._pos = {self.ids[i]: j for j, i in enumerate(self.rows)}
        j = self._pos[nid]
        return {"retries": int(self.retries[j]), "then": self.then[j], "outcome": OUTCOMES[self.code[j]]}

    def __iter__(self):
        return (self.ids[i] for i in self.rows)

    def __len__(self) -> int:
        return int(self.rows.size)

    def failing(self, allowed: list[str], min_retries: int) -> np.ndarray:
        """Row numbers whose outcome is not allowed or whose retries are too few."""
        ok = np.isin(self.code, [OUTCOMES.index(a) for a in allowed if a in OUTCOMES])
        return np.flatnonzero(~ok | (self.retries < min_retries))


OUTCOMES = ("human", "disconnect", "restart", "retry", "back", "menu", "unknown", "loop")


def modelled(q: Optional[Queue]) -> bool:
    """Has the queue a wait to model: an arrival rate, or no agents at all (nobody answers)?"""
    return q is not None and (q.calls_per_hour > 0 or q.agents == 0)


def queue_figures(q: Queue, target_s: float) -> dict:
    """Erlang C for a queue; with `agents: 0` (e.g. out of hours) nobody answers:
    P(wait) 1, service level 0, the wait never ends (ASA infinite)."""
    if q.agents == 0:
        return {"load_erlangs": q.calls_per_hour * q.aht_s / 3600.0, "p_wait": 1.0, "service_level": 0.0,
                "asa_s": INF, "occupancy": 0.0, "stable": False}
    return erlang_c(q.calls_per_hour, q.aht_s, q.agents, target_s)


def build_graph(menu: Menu, config: dict) -> tuple[Graph, dict]:
    """Edge arrays of `menu`, and per-node facts gathered in the same pass.
    The pass only collects (source, target text, kind); targets are resolved
    and seconds attached afterwards with array operations."""
    ids = list(menu.nodes)
    index = dict(zip(ids, range(len(ids))))
    n = len(ids)
    hangup, sink = n, n + 1
    src: list[int] = []
    tgt: list[str] = []
    kind: list[int] = []
    add_s, add_t, add_k = src.append, tgt.append, kind.append
    cache: dict = {}
    prompt_s = np.zeros(n)
    options = np.zeros(n, dtype=np.int32)
    speech_only = np.zeros(n, dtype=np.int32)     # options with words and no key
    lists: dict[str, list] = {name: [] for name in (
        "humans", "hangups", "ends_at", "menus", "inputs", "adverts", "announcements", "no_barge", "prompted", "choice",
        "in_then", "in_retries", "match_then", "match_retries")}
    humans, hangups, ends_at, menus_at, inputs, adverts, no_barge, prompted, choice = (
        lists[k].append for k in ("humans", "hangups", "ends_at", "menus", "inputs", "adverts", "no_barge",
                                  "prompted", "choice"))
    in_then, in_retries, match_then, match_retries = (
        lists[k].append for k in ("in_then", "in_retries", "match_then", "match_retries"))
    globals_off: dict[str, list[int]] = {}

    cache_get = cache.get

    def seconds(node: Node) -> float:
        # the cache look-up inlined: this runs once per node of menus with a million nodes
        if node.duration_s is None:
            got = cache_get((node.prompt, node.answer) if node.kind == "self_service" else (node.prompt or node.answer))
            if got is not None:
                return got
        return _seconds(menu, config, cache, node)

    acts = np.zeros(n, dtype=bool)   # where global commands can be given (as the engine)
    for i, node in enumerate(menu.nodes.values()):
        k = node.kind
        acts[i] = node.takes_commands()
        if node.globals_off:
            for name in node.globals_off:
                globals_off.setdefault(name, []).append(i)
        if node.prompt:
            prompted(i)
        if k == "menu":
            menus_at(i)
            options[i] = len(node.options)
            for opt in node.options:
                add_s(i)
                add_t(opt.target)
                if opt.key:
                    add_k(BOTH if opt.phrases else KEY)
                else:
                    add_k(VOICE if opt.phrases else -1)
                    speech_only[i] += bool(opt.phrases)
            prompt_s[i] = seconds(node)
        elif k in AUTO_KINDS:
            prompt_s[i] = seconds(node)
            if node.advert:
                adverts(i)
            elif k == "announcement":
                lists["announcements"].append(i)   # unmarked: forced-adverts reads their words
            if node.next:
                add_s(i)
                add_t(node.next)
                add_k(AUTO)
            elif k != "goto":
                ends_at(i)
        elif k == "unknown":
            if not node.options:
                ends_at(i)  # the call leaves what the file shows (an importer's note says where)
            for opt in node.options:  # branches on data (opening hours, a lookup): any may be taken,
                add_s(i)              # with no caller action, so what lies behind them is measured
                add_t(opt.target)
                add_k(AUTO)
        elif k == "input":
            inputs(i)
            add_s(i)
            add_t(node.next)
            add_k(INPUT)
            prompt_s[i] = seconds(node)
        elif k == "human":
            humans(i)
            continue
        elif k == "hangup":
            hangups(i)
            continue
        if node.waits_for_caller():  # menus, inputs, knowledge-base questions: as the engine
            choice(i)
            a, b = node.no_input, node.no_match
            in_then(a.then)
            in_retries(a.retries)
            match_then(b.then)
            match_retries(b.retries)
            add_s(i)
            add_t(a.then)
            add_k(POLICY)
            add_s(i)
            add_t(b.then)
            add_k(POLICY)
        if not node.barge_in:
            no_barge(i)

    def arr(name: str) -> np.ndarray:
        return np.asarray(lists[name], dtype=np.int64)

    h = arr("humans")
    ends = np.zeros(n, dtype=bool)
    ends[h] = ends[arr("hangups")] = True
    terminal = np.zeros(n + 2, dtype=bool)
    terminal[:n] = ends
    terminal[arr("ends_at")] = terminal[hangup] = True
    forced = np.zeros(n)                              # seconds that cannot be skipped at each node
    forced[arr("no_barge")] = prompt_s[arr("no_barge")]
    forced_ms = np.round(forced * 1000).astype(np.int64)

    # resolve every target text at once: node ids and special targets
    human_cmd = menu.commands.get("human")
    human_id = human_cmd.target if human_cmd and human_cmd.target else (ids[h[0]] if h.size else None)
    specials = {**SPECIAL, "@start": index.get(menu.start, -1), "@hangup": hangup,
                "@human": index.get(human_id, -1) if human_id else -1}
    src_a = np.asarray(src, dtype=np.int64)
    dst_a = np.fromiter(map(index.get, tgt, itertools.repeat(-2)), dtype=np.int64, count=len(tgt))
    for j in np.flatnonzero(dst_a == -2):             # special targets (and unknown ids: no edge)
        dst_a[j] = specials.get(tgt[j], -1)
    repeat = dst_a == -3
    dst_a[repeat] = src_a[repeat]
    kind_a = np.asarray(kind, dtype=np.int8)
    policy_dst = dst_a[kind_a == POLICY]              # per choice node: silence, then wrong input
    both = kind_a == BOTH                             # split key+words options into two edges
    src_a = np.concatenate([src_a, src_a[both]])
    dst_a = np.concatenate([dst_a, dst_a[both]])
    kind_a = np.concatenate([np.where(both, KEY, kind_a), np.full(int(both.sum()), VOICE, dtype=np.int8)])
    ok = (dst_a >= 0) & (kind_a >= 0)
    src_a, dst_a, kind_a = src_a[ok], dst_a[ok], kind_a[ok]
    # an action can be taken once the prompt may be interrupted; automatic moves play the whole prompt
    ms_a = np.where(kind_a == AUTO, np.round(prompt_s[src_a] * 1000).astype(np.int64), forced_ms[src_a])
    arrays = [(src_a, dst_a, kind_a, ms_a)]

    # global commands: an edge from every node where the caller can act (a menu,
    # an input, a barge-in prompt); a goto or forced prompt moves on first
    live = ~terminal[:n] & acts
    for name in ("human", "main_menu"):
        cmd = menu.commands.get(name)
        to = specials[COMMAND_TARGETS[name]]
        if cmd is None or to < 0:
            continue
        on = live.copy()
        on[globals_off.get(name, [])] = False
        where = np.flatnonzero(on)
        for has, k in ((cmd.key, KEY), (cmd.phrases, VOICE)):
            if has:
                arrays.append((where, np.full(where.size, to), np.full(where.size, k, dtype=np.int8),
                               forced_ms[where]))
    # every human node leads to the virtual SINK; the edge carries the transfer prompt
    # (and, in wait_ms, the queue's expected wait)
    queues = {}
    wait_ms = np.zeros(h.size, dtype=np.int64)
    for j, i in enumerate(lists["humans"]):
        node = menu.nodes[ids[i]]
        prompt_s[i] = _seconds(menu, config, cache, node)
        q = node.queue
        if modelled(q):
            queues[ids[i]] = queue_figures(q, 20.0)
            # an overloaded queue waits forever: a huge finite weight, turned back into inf later
            wait_ms[j] = int(round(min(queues[ids[i]]["asa_s"], 1e9) * 1000))
    transfer_ms = np.round(prompt_s[h] * 1000).astype(np.int64)
    arrays.append((h, np.full(h.size, sink), np.full(h.size, AUTO, dtype=np.int8), transfer_ms))
    graph = Graph(ids, index, *(np.concatenate(parts) for parts in zip(*arrays)))
    graph.wait_ms = np.zeros(graph.src.size, dtype=np.int64)
    graph.wait_ms[graph.src.size - h.size:] = wait_ms

    def mask(name: str) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[arr(name)] = True
        return out

    choice_rows = arr("choice")
    facts = {"forced_s": forced, "prompt_s": prompt_s, "options": options, "speech_only": speech_only,
             "is_menu": mask("menus"), "is_input": mask("inputs"), "has_prompt": mask("prompted"),
             "adverts": arr("adverts"), "announcements": arr("announcements"), "terminal": terminal, "humans": h, "ends": ends, "queues": queues,
             "globals_off": globals_off,
             "silence": _policy_table(menu, ids, choice_rows, policy_dst[0::2], lists["in_then"],
                                      lists["in_retries"]),
             "wrong_input": _policy_table(menu, ids, choice_rows, policy_dst[1::2], lists["match_then"],
                                          lists["match_retries"])}
    return graph, facts


def _policy_table(menu: Menu, ids: list[str], rows: np.ndarray, dst: np.ndarray, then: list,
                  retries: list) -> PolicyTable:
    """Outcome per row from the resolved targets, worked out once per distinct target node."""
    n = len(ids)
    targets, inverse = np.unique(dst, return_inverse=True)
    per_target = np.array([OUTCOMES.index("disconnect") if d == n else
                           OUTCOMES.index(outcome(menu, ids[d], "")) if d >= 0 else 0 for d in targets],
                          dtype=np.int8)
    code = per_target[inverse] if targets.size else np.zeros(0, dtype=np.int8)
    for r in np.flatnonzero(dst < 0):           # @back, or a target that is not a node
        code[r] = OUTCOMES.index(outcome(menu, then[r], ""))
    code[dst == rows] = OUTCOMES.index("retry")   # @repeat, or the node's own id
    return PolicyTable(ids, rows, code, np.asarray(retries, dtype=np.int64), then)


SCIPY_FROM_EDGES = 50_000   # below this, heapq in Python is quicker than importing scipy


def _shortest(g: Graph, keep: Optional[np.ndarray], w: np.ndarray, sources, reverse: bool = False):
    """Dijkstra from `sources` (an index or several: the distance to the
    nearest) over the edges `keep` (a mask over all edges; None: all) with
    per-edge weights `w`, forward or reversed. Returns (distances, predecessors
    (-9999 where none)) over all g.n + 2 nodes; parallel edges: the cheapest."""
    size = g.n + 2
    order = g.order(reverse)
    sel = order if keep is None else order[keep[order]]
    u, v = (g.dst, g.src) if reverse else (g.src, g.dst)
    sources = np.atleast_1d(np.asarray(sources, dtype=np.int64))
    if g.src.size >= SCIPY_FROM_EDGES:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra
        # CSR built directly, not through coo->csr, which would add up parallel edges
        indptr = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(np.bincount(u[sel], minlength=size), out=indptr[1:])
        graph = csr_matrix((w[sel].astype(float), v[sel], indptr), shape=(size, size))
        dist, pred, _ = dijkstra(graph, indices=sources, min_only=True, return_predecessors=True)
        return dist, pred
    adjacent: list[list] = [[] for _ in range(size)]
    for a, b, weight in zip(u[sel].tolist(), v[sel].tolist(), w[sel].astype(float).tolist()):
        adjacent[a].append((b, weight))
    dist, pred = [math.inf] * size, [-9999] * size
    heap = []
    for s in sources.tolist():
        dist[s] = 0.0
        heap.append((0.0, s))
    heapq.heapify(heap)
    while heap:
        d, a = heapq.heappop(heap)
        if d > dist[a]:
            continue
        for b, weight in adjacent[a]:
            if d + weight < dist[b]:
                dist[b], pred[b] = d + weight, a
                heapq.heappush(heap, (d + weight, b))
    return np.array(dist), np.array(pred, dtype=np.int32)


def _steps_to_human(g: Graph, keep: np.ndarray) -> np.ndarray:
    """Fewest actions from each node to a human node, over the edges `keep`."""
    # reversed graph: search from the sink backwards along the edges
    return _shortest(g, keep, g.kind != AUTO, g.n + 1, reverse=True)[0]


def _seconds_to_human(g: Graph, keep: np.ndarray, steps: np.ndarray, wait: bool):
    """Unskippable seconds (plus queue wait if `wait`) on the quickest of the
    fewest-action paths, and each node's next node on that path."""
    cost = (g.kind != AUTO)
    tight = keep & np.isfinite(steps[g.src]) & (steps[g.src] == steps[g.dst] + cost)
    ms = g.ms + g.wait_ms if wait else g.ms
    millis, pred = _shortest(g, tight, ms, g.n + 1, reverse=True)
    seconds = millis / 1000.0
    seconds[seconds >= 1e9] = INF
    return seconds[:g.n], pred


def _reaches(g: Graph, targets: np.ndarray) -> np.ndarray:
    """Which nodes have some path (over every edge) to one of `targets`."""
    dist, _ = _shortest(g, None, np.ones(g.src.size), targets, reverse=True)
    return np.isfinite(dist[:g.n])


def outcome(menu: Menu, target: str, here: str, hops: int = 50) -> str:
    """What a policy target does to the call: human, disconnect, restart,
    retry (forever), back, or menu (another choice)."""
    for _ in range(hops):
        if target == "@repeat" or target == here:
            return "retry"
        if target == "@back":
            return "back"
        if target == "@hangup":
            return "disconnect"
        if target == "@start" or target == menu.start:
            return "restart"
        resolved = menu.resolve(target, here)
        node = menu.nodes.get(resolved or "")
        if node is None:
            return "unknown"
        if node.kind == "human":
            return "human"
        if node.kind == "hangup":
            return "disconnect"
        if node.kind in AUTO_KINDS:
            if not node.next:
                return "disconnect"   # says something, then the call ends
            target = node.next
            continue
        return "menu"
    return "loop"


_DIGIT_WORDS = {"*": ("*", "star", "星号"), "#": ("#", "pound", "hash", "井号")}


def mentions(prompt: str, key: Optional[str], phrases: list[str], label: str = "") -> bool:
    """Does the prompt tell the caller about this key or these words?"""
    text = prompt.casefold()
    if key:
        if key.isdigit():
            if re.search(rf"(?<![0-9]){re.escape(key)}(?![0-9])", text):
                return True
        elif any(w in text for w in _DIGIT_WORDS.get(key, (key,))):
            return True
    return any(p and p.casefold() in text for p in [*phrases, label])


def leads_to_person(menu: Menu, target: str, here: str, humans: set, hops: int = 20) -> Optional[str]:
    """The human node `target` reaches with no further caller action — directly, or
    through announcements and jumps that move on by themselves ("please hold", a
    legal notice before the transfer) — else None."""
    nid = menu.resolve(target, here)
    for _ in range(hops):
        if nid in humans:
            return nid
        node = menu.nodes.get(nid or "")
        if node is None or node.kind not in AUTO_KINDS or not node.next:
            return None
        nid = menu.resolve(node.next, node.id)
    return None


def offers_human(menu: Menu, node: Node, humans: Optional[set] = None) -> bool:
    """The node's prompt announces a one-action way to a person. `humans`:
    the human node ids, when the caller asks about many nodes."""
    if node.kind in TERMINAL_KINDS or not node.prompt:
        return False
    humans = set(menu.human_nodes()) if humans is None else humans
    for opt in node.options:
        if leads_to_person(menu, opt.target, node.id, humans) and mentions(node.prompt, opt.key, opt.phrases, opt.label):
            return True
    cmd = menu.command("human", node)
    return bool(cmd and mentions(node.prompt, cmd.key, cmd.phrases))


@dataclass
class Metrics:
    menu: Menu
    graph: Graph
    config: dict                 # timing rates the seconds were computed with
    steps_key: np.ndarray        # fewest key actions to a person (inf: none)
    steps_voice: np.ndarray      # fewest utterances to a person
    steps: np.ndarray            # fewest actions of either kind
    time_to_human_s: np.ndarray  # unskippable seconds + queue wait on the quickest fewest-step path
    listening_s: np.ndarray      # the same without the queue wait
    depth: np.ndarray            # fewest actions from the start
    reachable: np.ndarray
    trapped: np.ndarray          # no path ever leads to a person, a hang-up or an end
    dead_end: np.ndarray         # nothing leads on from here, and the call does not end
    from_start: np.ndarray       # predecessor on a fewest-action path from the start
    to_human: np.ndarray         # next node on the quickest fewest-action path to a person
    prompts_before_human: Optional[int]
    first_offer: Optional[str]   # the first node whose prompt announces a person
    forced_s: np.ndarray         # seconds of prompt that cannot be skipped at each node
    prompt_s: np.ndarray
    options: np.ndarray          # options per node (menus)
    speech_only: np.ndarray      # options with words but no key
    is_menu: np.ndarray
    is_input: np.ndarray
    has_prompt: np.ndarray
    adverts: np.ndarray          # node indices of adverts
    announcements: np.ndarray    # node indices of announcements not marked as adverts
    humans: np.ndarray           # node indices of human nodes
    ends: np.ndarray             # human and hangup nodes: nothing left to measure there
    queues: dict                 # human node id -> Erlang C figures
    globals_off: dict            # command name -> node indices where it is off
    silence: PolicyTable         # node id -> {"retries", "then", "outcome"}
    wrong_input: PolicyTable

    def node(self, nid: str) -> int:
        return self.graph.index[nid]

    def path_from_start(self, nid: str) -> list[str]:
        """Node ids a caller passes through from the start to `nid` (fewest actions)."""
        return self._walk(self.from_start, self.node(nid))[::-1]

    def path_to_human(self, nid: str) -> list[str]:
        """Node ids from `nid` to a person on the quickest fewest-action path ([] if none)."""
        i = self.node(nid)
        if not np.isfinite(self.steps[i]):
            return []
        return self._walk(self.to_human, i)

    def _walk(self, pred: np.ndarray, i: int) -> list[str]:
        out = []
        while 0 <= i < self.graph.n and len(out) <= self.graph.n:
            out.append(self.graph.ids[i])
            i = int(pred[i])
        return out

    @staticmethod
    def _max(values: np.ndarray, among: np.ndarray) -> Optional[float]:
        """The largest value among `among` (inf when one is unreachable), None if empty."""
        chosen = values[among]
        return float(chosen.max()) if chosen.size else None

    def summary(self) -> dict:
        live = self.reachable & ~self.ends
        return {
            "nodes": self.graph.n,
            "depth": _num(self._max(self.depth, self.reachable)),
            # maxima over nodes a person can be reached from; the others are listed
            "max_steps_to_human": _num(self._max(self.steps, live & np.isfinite(self.steps))),
            "max_steps_to_human_key": _num(self._max(self.steps_key, live & np.isfinite(self.steps_key))),
            "max_steps_to_human_voice": _num(self._max(self.steps_voice, live & np.isfinite(self.steps_voice))),
            "no_human_from": self._ids(live & ~np.isfinite(self.steps)),
            "no_human_by_key_from": self._ids(live & ~np.isfinite(self.steps_key)),
            "no_human_by_voice_from": self._ids(live & ~np.isfinite(self.steps_voice)),
            "time_to_human_from_start_s": _num(self.time_to_human_s[self.node(self.menu.start)]),
            "listening_to_human_from_start_s": _num(self.listening_s[self.node(self.menu.start)]),
            "max_options_per_menu": int(self.options.max()) if self.options.size else 0,
            "prompts_before_human": self.prompts_before_human,
            "unreachable": self._ids(~self.reachable),
            "dead_ends": self._ids(self.dead_end),
            "loops_without_exit": self._ids(self.trapped & ~self.dead_end),
            "forced_listening_s": round(float(self.forced_s[self.reachable].sum()), 2),
            "queues": {k: {m: _num(x) for m, x in v.items()} for k, v in self.queues.items()},
            "guard": self.guard(),
        }

    def guard(self) -> dict:
        """The run-time never-stranded guard (ivr.guard) as it applies to this menu.
        Reported, never counted in the steps or seconds to a person: it acts after N failures."""
        from .guard import guard_for

        g = guard_for(self.menu, self.config)
        return {"enabled": g.enabled, "max_failures": g.max_failures, "switched_off_by_menu": g.switched_off_by_menu,
                "to": self.menu.resolve("@human") or g.fallback_agent.get("name", "fallback agent line"),
                "counted_as_way_to_person": False}

    def _ids(self, mask: np.ndarray, limit: int = 1000) -> list[str]:
        """Node ids where `mask` holds (at most `limit`: huge menus stay readable)."""
        return [self.graph.ids[i] for i in np.flatnonzero(mask)[:limit]]

    def per_node(self) -> dict:
        out = {}
        for i, nid in enumerate(self.graph.ids):
            parent = int(self.from_start[i]) if self.from_start is not None else -1
            node = self.menu.nodes[nid]
            out[nid] = {
                "kind": node.kind,
                "prompt": (node.prompt or node.answer)[:300],
                "via": self.graph.ids[parent] if 0 <= parent < self.graph.n else None,
                "depth": _num(self.depth[i]),
                "steps_to_human": _num(self.steps[i]),
                "steps_to_human_key": _num(self.steps_key[i]),
                "steps_to_human_voice": _num(self.steps_voice[i]),
                "time_to_human_s": _num(self.time_to_human_s[i]),
                "listening_to_human_s": _num(self.listening_s[i]),
                "forced_s": round(float(self.forced_s[i]), 2),
                "silence": self.silence.get(nid),
                "wrong_input": self.wrong_input.get(nid),
            }
        return out

    def to_dict(self, nodes: bool = True) -> dict:
        out = self.summary()
        if nodes:
            out["per_node"] = self.per_node()
        return out


def _num(x) -> Optional[float]:
    """JSON-friendly number: None for unreachable (inf), ints where whole."""
    if x is None or isinstance(x, bool):
        return x
    x = float(x)
    if not math.isfinite(x):
        return None
    return int(x) if x.is_integer() else round(x, 2)


def compute(menu: Menu, config: Optional[dict] = None) -> Metrics:
    """Every metric of `menu` (config: timing rates; defaults when None)."""
    config = config or DEFAULTS
    g, facts = build_graph(menu, config)
    n = g.n
    is_action = g.kind != POLICY
    steps_key = _steps_to_human(g, is_action & (g.kind != VOICE))[:n]
    steps_voice = _steps_to_human(g, is_action & (g.kind != KEY))[:n]
    all_steps = _steps_to_human(g, is_action)
    listening, to_human = _seconds_to_human(g, is_action, all_steps, wait=False)
    seconds, _ = _seconds_to_human(g, is_action, all_steps, wait=True)

    starts = [g.index[menu.start]] + [g.index[t] for r in menu.priority_routes
                                      if (t := menu.resolve(r.get("to", ""))) in g.index]
    starts_arr = np.asarray(starts, dtype=np.int64)
    # depth over deliberate moves; nodes only silence or errors lead to get that depth instead
    cost = g.kind != AUTO
    depth, from_start = _shortest(g, is_action, cost, starts_arr)
    if not np.isfinite(depth[:n]).all():
        every, every_pred = _shortest(g, None, cost, starts_arr)
        missing = ~np.isfinite(depth)
        depth[missing], from_start[missing] = every[missing], every_pred[missing]
    terminal = facts.pop("terminal")
    out_degree = np.bincount(g.src, minlength=n + 2)[:n]
    prompts_before, first = _prompts_before_human(menu, g, starts_arr[:1], facts["has_prompt"])
    return Metrics(menu=menu, graph=g, config=config, steps_key=steps_key, steps_voice=steps_voice,
                   steps=all_steps[:n], time_to_human_s=seconds, listening_s=listening, depth=depth[:n],
                   reachable=np.isfinite(depth[:n]),   # the fallback search above used every edge
                   trapped=~_reaches(g, np.flatnonzero(terminal)),
                   dead_end=(out_degree == 0) & ~terminal[:n], from_start=from_start, to_human=to_human,
                   prompts_before_human=prompts_before, first_offer=first, **facts)


def _prompts_before_human(menu: Menu, g: Graph, start: np.ndarray,
                          has_prompt: np.ndarray) -> tuple[Optional[int], Optional[str]]:
    """Fewest prompts a caller hears from the start before one announces a person.
    Nodes are tried in order of that count, so a good menu stops at the first."""
    heard_here = np.append(has_prompt, [False, False])[g.src]   # the virtual nodes say nothing
    heard = _shortest(g, g.kind != POLICY, heard_here, start[0])[0][:g.n]
    humans = set(menu.human_nodes())  # once: asking per node made this quadratic
    for i in np.argsort(heard, kind="stable"):
        if not np.isfinite(heard[i]):
            break
        node = menu.nodes[g.ids[i]]
        if offers_human(menu, node, humans):
            return int(heard[i]), node.id
    return None, None
