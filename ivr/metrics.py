"""How far a caller is from a person, and how long they must listen.

The menu is turned into integer edge arrays once (one pass over the nodes);
every measure is then a shortest-path or reachability query done by
scipy.sparse.csgraph in C, so a menu of a million nodes is audited in seconds.

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
plus the Erlang C expected wait of the queue when its parameters are given.
A spoken digit ("zero") is not counted as a voice command: the voice
guarantee means the caller can ask in words ("agent", "转人工").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, dijkstra

from .config import DEFAULTS
from .model import Menu, Node
from .queueing.erlang import erlang_c
from .timing import prompt_seconds

AUTO, KEY, VOICE, INPUT, POLICY = 0, 1, 2, 3, 4
AUTO_KINDS = ("announcement", "self_service", "work_order", "goto")
CHOICE_KINDS = ("menu", "input")
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

    @property
    def n(self) -> int:
        return len(self.ids)


def _resolver(menu: Menu, index: dict[str, int], hangup: int):
    human_cmd = menu.commands.get("human")
    human_id = human_cmd.target if human_cmd and human_cmd.target else next(iter(menu.human_nodes()), None)
    fixed = {"@start": index.get(menu.start, -1), "@human": index.get(human_id, -1) if human_id else -1,
             "@hangup": hangup, "@back": -1}

    def resolve(target: Optional[str], here: int) -> int:
        if target is None:
            return -1
        if target == "@repeat":
            return here
        got = fixed.get(target)
        return got if got is not None else index.get(target, -1)
    return resolve


def _seconds(menu: Menu, config: dict, cache: dict, node: Node) -> float:
    key = (node.prompt, node.answer, node.kind, node.duration_s)
    got = cache.get(key)
    if got is None:
        got = cache[key] = prompt_seconds(node, menu.language, config)
    return got


def build_graph(menu: Menu, config: dict) -> tuple[Graph, dict]:
    """Edge arrays of `menu`, and per-node facts gathered in the same pass."""
    ids = list(menu.nodes)
    index = {nid: i for i, nid in enumerate(ids)}
    n = len(ids)
    hangup, sink = n, n + 1
    resolve = _resolver(menu, index, hangup)
    src: list[int] = []
    dst: list[int] = []
    kind: list[int] = []
    ms: list[int] = []
    cache: dict = {}
    forced = np.zeros(n)             # seconds that cannot be skipped at each node
    prompt_s = np.zeros(n)
    options = np.zeros(n, dtype=np.int32)
    is_menu = np.zeros(n, dtype=bool)
    terminal = np.zeros(n + 2, dtype=bool)
    terminal[hangup] = True
    globals_off: dict[str, list[int]] = {}
    humans: list[int] = []
    ends = np.zeros(n, dtype=bool)

    def edge(u: int, v: int, k: int, milli: int) -> None:
        if v >= 0:
            src.append(u)
            dst.append(v)
            kind.append(k)
            ms.append(milli)

    for i, node in enumerate(menu.nodes.values()):
        k = node.kind
        for name in node.globals_off:
            globals_off.setdefault(name, []).append(i)
        if k == "human":
            humans.append(i)
            terminal[i] = ends[i] = True
            continue
        if k == "hangup":
            terminal[i] = ends[i] = True
            continue
        seconds = 0.0
        if not node.barge_in or k in AUTO_KINDS:
            seconds = prompt_s[i] = _seconds(menu, config, cache, node)
        skip_ms = 0 if node.barge_in else int(round(seconds * 1000))
        forced[i] = skip_ms / 1000
        if k in AUTO_KINDS:
            if node.next:
                edge(i, resolve(node.next, i), AUTO, int(round(seconds * 1000)))
            elif k != "goto":
                terminal[i] = True   # an answer or a case created, then the call ends
            continue
        if k == "input":
            edge(i, resolve(node.next, i), INPUT, skip_ms)
        elif k == "menu":
            is_menu[i] = True
            options[i] = len(node.options)
            for opt in node.options:
                v = resolve(opt.target, i)
                if opt.key:
                    edge(i, v, KEY, skip_ms)
                if opt.phrases:
                    edge(i, v, VOICE, skip_ms)
        if k in CHOICE_KINDS:
            edge(i, resolve(node.no_input.then, i), POLICY, skip_ms)
            edge(i, resolve(node.no_match.then, i), POLICY, skip_ms)

    # global commands: the same edge from every non-terminal node, built as arrays
    arrays = [(np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64),
               np.asarray(kind, dtype=np.int8), np.asarray(ms, dtype=np.int64))]
    live = ~terminal[:n]
    forced_ms = np.round(forced * 1000).astype(np.int64)
    for name, target in (("human", "@human"), ("main_menu", "@start")):
        cmd = menu.commands.get(name)
        to = resolve(target, -1)
        if cmd is None or to < 0:
            continue
        on = live.copy()
        on[globals_off.get(name, [])] = False
        where = np.flatnonzero(on)
        for has, k in ((cmd.key, KEY), (cmd.phrases, VOICE)):
            if has:
                arrays.append((where, np.full(where.size, to), np.full(where.size, k, dtype=np.int8),
                               forced_ms[where]))
    # every human node leads to the virtual SINK; the edge carries transfer + queue wait
    queues = {}
    h = np.asarray(humans, dtype=np.int64)
    wait_ms = np.zeros(h.size, dtype=np.int64)
    for j, i in enumerate(humans):
        node = menu.nodes[ids[i]]
        seconds = prompt_s[i] = _seconds(menu, config, cache, node)
        q = node.queue
        asa = 0.0
        if q is not None and q.calls_per_hour > 0:
            queues[ids[i]] = erlang_c(q.calls_per_hour, q.aht_s, q.agents, 20.0)
            asa = queues[ids[i]]["asa_s"]
        # an overloaded queue waits forever: a huge finite weight, turned back into inf later
        wait_ms[j] = int(round(min(asa, 1e9) * 1000))
    transfer_ms = np.round(prompt_s[h] * 1000).astype(np.int64)
    arrays.append((h, np.full(h.size, sink), np.full(h.size, AUTO, dtype=np.int8), transfer_ms))
    graph = Graph(ids, index, *(np.concatenate(parts) for parts in zip(*arrays)))
    graph.wait_ms = np.zeros(graph.src.size, dtype=np.int64)
    graph.wait_ms[graph.src.size - h.size:] = wait_ms
    facts = {"forced_s": forced, "prompt_s": prompt_s, "options": options, "is_menu": is_menu,
             "terminal": terminal, "humans": h, "ends": ends, "queues": queues, "globals_off": globals_off}
    return graph, facts


def _matrix(u: np.ndarray, v: np.ndarray, w: np.ndarray, size: int) -> csr_matrix:
    """A CSR graph keeping the cheapest of parallel edges (csr would sum them)."""
    order = np.lexsort((w, v, u))
    u, v, w = u[order], v[order], w[order]
    first = np.ones(u.size, dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return csr_matrix((w[first].astype(float), (u[first], v[first])), shape=(size, size))


def _steps_to_human(g: Graph, keep: np.ndarray) -> np.ndarray:
    """Fewest actions from each node to a human node, over the edges `keep`."""
    u, v, cost = g.src[keep], g.dst[keep], (g.kind[keep] != AUTO).astype(np.int64)
    # reversed graph: search from the sink backwards along the edges
    return dijkstra(_matrix(v, u, cost, g.n + 2), indices=g.n + 1)


def _seconds_to_human(g: Graph, keep: np.ndarray, steps: np.ndarray, wait: bool):
    """Unskippable seconds (plus queue wait if `wait`) on the quickest of the
    fewest-action paths, and each node's next node on that path."""
    u, v, cost = g.src[keep], g.dst[keep], (g.kind[keep] != AUTO).astype(np.int64)
    ms = g.ms[keep] + (g.wait_ms[keep] if wait else 0)
    tight = np.isfinite(steps[u]) & (steps[u] == steps[v] + cost)
    millis, pred = dijkstra(_matrix(v[tight], u[tight], ms[tight], g.n + 2), indices=g.n + 1,
                            return_predecessors=True)
    seconds = millis / 1000.0
    seconds[seconds >= 1e9] = INF
    return seconds[:g.n], pred


def _reach(g: Graph, starts: np.ndarray, reverse: bool) -> np.ndarray:
    """Which nodes are reached from `starts` over every edge (or, reversed, reach them)."""
    size = g.n + 2
    u, v = (g.dst, g.src) if reverse else (g.src, g.dst)
    m = csr_matrix((np.ones(u.size, dtype=np.int8), (u, v)), shape=(size + 1, size + 1))
    root = size  # a virtual root linked to every start
    extra = csr_matrix((np.ones(starts.size, dtype=np.int8), (np.full(starts.size, root), starts)),
                       shape=(size + 1, size + 1))
    order = breadth_first_order(m + extra, root, directed=True, return_predecessors=False)
    seen = np.zeros(size + 1, dtype=bool)
    seen[order] = True
    return seen[:g.n]


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


def offers_human(menu: Menu, node: Node) -> bool:
    """The node's prompt announces a one-action way to a person."""
    if node.kind in ("human", "hangup") or not node.prompt:
        return False
    humans = set(menu.human_nodes())
    for opt in node.options:
        if menu.resolve(opt.target, node.id) in humans and mentions(node.prompt, opt.key, opt.phrases, opt.label):
            return True
    cmd = menu.command("human", node)
    return bool(cmd and mentions(node.prompt, cmd.key, cmd.phrases))


@dataclass
class Metrics:
    menu: Menu
    graph: Graph
    steps_key: np.ndarray
    steps_voice: np.ndarray
    steps: np.ndarray
    time_to_human_s: np.ndarray
    depth: np.ndarray
    reachable: np.ndarray
    trapped: np.ndarray          # no path ever leads to a person, a hang-up or an end
    dead_end: np.ndarray         # nothing leads on from here, and the call does not end
    forced_s: np.ndarray
    prompt_s: np.ndarray
    options: np.ndarray
    is_menu: np.ndarray
    queues: dict
    prompts_before_human: Optional[int]
    first_offer: Optional[str]   # the first node whose prompt announces a person
    ends: np.ndarray = None      # human and hangup nodes: nothing left to measure there
    silence: dict = field(default_factory=dict)   # node id -> {"retries", "then", "outcome"}
    wrong_input: dict = field(default_factory=dict)
    from_start: np.ndarray = None   # predecessor on a fewest-action path from the start
    to_human: np.ndarray = None     # next node on the quickest fewest-action path to a person
    config: dict = None             # timing rates the seconds were computed with
    listening_s: np.ndarray = None  # time to a human without the queue wait

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
        live = self.reachable & ~self._ends()
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
        }

    def _ids(self, mask: np.ndarray, limit: int = 1000) -> list[str]:
        """Node ids where `mask` holds (at most `limit`: huge menus stay readable)."""
        return [self.graph.ids[i] for i in np.flatnonzero(mask)[:limit]]

    def _ends(self) -> np.ndarray:
        return self.ends

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


def _policies(menu: Menu) -> tuple[dict, dict]:
    silence, wrong = {}, {}
    cache: dict = {}
    for nid, node in menu.nodes.items():
        if node.kind not in CHOICE_KINDS:
            continue
        for policy, out in ((node.no_input, silence), (node.no_match, wrong)):
            t = policy.then
            key = (t, nid) if t == "@repeat" or t == nid else t
            got = cache.get(key)
            if got is None:
                got = cache[key] = outcome(menu, t, nid)
            out[nid] = {"retries": policy.retries, "then": t, "outcome": got}
    return silence, wrong


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
    steps = all_steps[:n]

    starts = [g.index[menu.start]] + [g.index[t] for r in menu.priority_routes
                                      if (t := menu.resolve(r.get("to", ""))) in g.index]
    starts_arr = np.asarray(starts, dtype=np.int64)
    # depth over deliberate moves; nodes only silence or errors lead to get that depth instead
    cost = (g.kind != AUTO).astype(np.int64)
    fwd = _matrix(g.src[is_action], g.dst[is_action], cost[is_action], n + 2)
    depth, from_start, _ = dijkstra(fwd, indices=starts_arr, min_only=True, return_predecessors=True)
    if not np.isfinite(depth[:n]).all():
        every, every_pred, _ = dijkstra(_matrix(g.src, g.dst, cost, n + 2), indices=starts_arr,
                                        min_only=True, return_predecessors=True)
        missing = ~np.isfinite(depth)
        depth[missing], from_start[missing] = every[missing], every_pred[missing]
    depth = depth[:n]
    reachable = _reach(g, starts_arr, reverse=False)
    terminal = facts["terminal"]
    reaches_end = _reach(g, np.flatnonzero(terminal), reverse=True)
    trapped = ~reaches_end
    out_degree = np.bincount(g.src, minlength=n + 2)[:n]
    dead_end = (out_degree == 0) & ~terminal[:n]

    prompts_before, first = _prompts_before_human(menu, g, starts_arr[:1])
    silence, wrong = _policies(menu)
    return Metrics(menu, g, steps_key, steps_voice, steps, seconds, depth, reachable, trapped, dead_end,
                   facts["forced_s"], facts["prompt_s"], facts["options"], facts["is_menu"],
                   facts["queues"], prompts_before, first, facts["ends"], silence, wrong,
                   from_start, to_human, config, listening)


def _prompts_before_human(menu: Menu, g: Graph, start: np.ndarray) -> tuple[Optional[int], Optional[str]]:
    """Fewest prompts a caller hears from the start before one announces a person.
    Nodes are tried in order of that count, so a good menu stops at the first."""
    has_prompt = np.fromiter((bool(nd.prompt) for nd in menu.nodes.values()), dtype=bool, count=g.n)
    keep = g.kind != POLICY
    u, v = g.src[keep], g.dst[keep]
    w = np.zeros(u.size, dtype=np.int64)
    w[u < g.n] = has_prompt[u[u < g.n]]
    heard = dijkstra(_matrix(u, v, w, g.n + 2), indices=start[0])[:g.n]
    for i in np.argsort(heard, kind="stable"):
        if not np.isfinite(heard[i]):
            break
        node = menu.nodes[g.ids[i]]
        if offers_human(menu, node):
            return int(heard[i]), node.id
    return None, None
