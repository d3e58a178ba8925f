"""Generate scenarios that pin a menu's behaviour: `ivr test --generate`.

1. Every path: a breadth-first crawl of caller actions (each option, each
   global command, silence and wrong input until the policy fires, a valid
   entry at input nodes) to every end of the call. Loops are bounded: a path
   may enter a node at most `max_visits` times.
2. Coverage paths: each designed transition the crawl did not finish a path
   through (a loop back to the start, `repeat`, an answer that returns to the
   menu) gets its own path: the shortest way to it, the transition, then the
   shortest known way on to the end of the call.
3. Worst callers: the path with the longest time to a person and the one
   with the most caller actions.

Each path becomes a scenario file that expects exactly the nodes it passed,
where it ended, and no more virtual time or actions than it took, so any
change to the menu's targets or prompts shows up as a failing test.
"""
from __future__ import annotations

import os
import re
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

import yaml

from ..errors import IvrError
from ..model import DTMF_KEYS, Menu, Node, Where
from ..timing import prompt_seconds
from .coverage import ROUTE_SOURCE, Transition, menu_transitions
from .runner import TracedCall, _Checker, _run_step
from .scenario import _step

SAMPLE_DIGITS = "12345678901234567890"
SAMPLE_SPEECH = "Example Company"
MUMBLE = {"text": "mumble", "confidence": 0.0}   # below any min_confidence: a no_match


@dataclass
class Path_:
    """A caller's way through the menu: a route, then actions (each a list of
    scenario steps), and where the caller waited before each action."""
    route: Optional[str]
    actions: list[list[dict]]
    waits: list[str] = field(default_factory=list)
    why: str = "path"

    def steps(self) -> list[dict]:
        return [s for action in self.actions for s in action]

    def key(self) -> tuple:
        return (self.route, repr(self.steps()))


@dataclass
class Seen:
    """What a replayed call did, kept instead of the call itself (a call
    holds its whole state machine; hundreds alive slow the crawl down)."""
    fired: list
    ended: bool
    node: str
    clock: float
    steps: int
    outcome: str
    summary: dict

    @classmethod
    def of(cls, call: TracedCall) -> "Seen":
        return cls(list(call.fired), call.ended, call.node, call.clock, call.steps, call.outcome or "",
                   _summary(call))


@dataclass
class Generated:
    paths: list[Path_]
    results: list[dict]           # per path: the call's summary (see _summary)
    unreached: list[Transition]   # designed transitions no generated path exercises
    truncated: bool               # the crawl hit max_paths


def replay(menu: Menu, config: dict, route: Optional[str], actions: list[list[dict]]) -> tuple[Seen, list[str]]:
    """Play the actions on a fresh call: what it did, and where it waited before each."""
    call = TracedCall(menu, config, route=route)
    check = _Checker(call)
    waits = []
    for action in actions:
        waits.append(call.node)
        for raw in action:
            if call.ended:
                break
            _run_step(check, _step(raw, Where()), None)
    return Seen.of(call), waits


def candidates(menu: Menu, node: Node, label: str, config: dict) -> list[list[dict]]:
    """Ways a caller can fire transition `label` at `node`, best first."""
    if label.startswith("option "):
        opt = node.options[int(label.split()[1])]
        return ([[{"press": opt.key}]] if opt.key else []) + [[{"say": p}] for p in opt.phrases]
    if label.startswith("command "):
        cmd = menu.commands[label.split()[1]]
        keyed = [[{"press": cmd.key}], [{"press": cmd.key + "#"}]] if cmd.key else []
        return keyed + [[{"say": p}] for p in cmd.phrases]
    if label == "no_input":
        seconds = (node.no_input.retries + 1) * (prompt_seconds(node, menu.language, config) + node.timeout_s)
        return [[{"wait": round(seconds + 0.01, 2)}]]
    if label == "no_match":
        times = node.no_match.retries + 1
        used = {o.key for o in node.options} | {c.key for c in menu.commands.values()}
        spare = "#" if node.kind == "input" else next((k for k in DTMF_KEYS if k not in used), None)
        keyed = [[{"press": spare}] * times] if spare else []
        return keyed + [[{"say": dict(MUMBLE)}] * times]
    if label == "next" and node.knowledge_base:
        from ..knowledge.base import load_knowledge  # only menus with a knowledge base need it
        kb = load_knowledge(Path(menu.source).parent / node.knowledge_base)
        return [[{"say": entry.question}] for entry in kb.entries[:3]]
    if label == "next" and node.kind == "input":
        if node.input_mode == "speech":
            return [[{"say": SAMPLE_SPEECH}]]
        low, high = node.input_digits
        digits = SAMPLE_DIGITS[:max(low, 1)]
        return [[{"press": digits + ("#" if len(digits) < high else "")}]]
    return []


def _fires(call: Seen, before: int, node: str, label: str) -> bool:
    return (node, label) in call.fired[before:]


def _within_bound(call: Seen, max_visits: int) -> bool:
    counts = Counter(call.summary["visits"])
    return max(counts.values(), default=0) <= max_visits


def _visits(events: list[dict]) -> list[str]:
    """Nodes entered, leaving out replays after silence or a wrong input
    (retries are bounded by the menu's policy, they are not loops)."""
    out = []
    for before, event in zip([{}] + events, events):
        replay = before.get("type") in ("no_input", "no_match") and before.get("node") == event["node"]
        if event["type"] == "enter" and not replay:
            out.append(event["node"])
    return out


def _summary(call: TracedCall) -> dict:
    orders = [{"category": e["category"], "facts": e["facts"]} for e in call.events if e["type"] == "work_order"]
    return {"path": [e["node"] for e in call.events if e["type"] == "enter"], "visits": _visits(call.events),
            "node": call.node,
            "kind": call.to_dict()["final_kind"], "outcome": call.outcome or "in_progress",
            "elapsed_s": call.clock, "steps": call.steps, "collected": dict(call.collected), "work_orders": orders}


def _extend(menu: Menu, config: dict, path: Path_, trans: Transition,
            before: Optional[int] = None) -> Optional[tuple[Path_, Seen]]:
    """`path` plus the first candidate action that really fires `trans`;
    `before` is how many transitions `path` alone fires (computed if None)."""
    node = menu.nodes[trans.node]
    if before is None:
        before = len(replay(menu, config, path.route, path.actions)[0].fired)
    for action in candidates(menu, node, trans.label, config):
        call, waits = replay(menu, config, path.route, path.actions + [action])
        if _fires(call, before, trans.node, trans.label):
            return Path_(path.route, path.actions + [action], waits), call
    return None


def crawl(menu: Menu, config: dict, max_visits: int = 1, max_paths: int = 500, max_actions: int = 40,
          tick: Optional[Callable[[], None]] = None) -> Generated:
    transitions = menu_transitions(menu)
    by_node: dict[str, list[Transition]] = {}
    for t in transitions:
        by_node.setdefault(t.node, []).append(t)
    starts = [Path_(None, [])] + [Path_(r["name"], [], why=f"priority route {r['name']}")
                                  for r in menu.priority_routes]
    queue = deque((p, replay(menu, config, p.route, [])[0]) for p in starts)
    finished: list[tuple[Path_, Seen]] = []
    reach_wait: dict[str, tuple[Path_, Seen]] = {}   # shortest path leaving the caller at a node
    reach_enter: dict[str, tuple[Path_, Seen]] = {}  # shortest path entering a node
    truncated = False
    while queue:
        path, call = queue.popleft()
        if tick:
            tick()
        for node in call.summary["path"]:
            reach_enter.setdefault(node, (path, call))
        if call.ended:
            finished.append((path, call))
            if len(finished) >= max_paths:
                truncated = bool(queue)
                break
            continue
        reach_wait.setdefault(call.node, (path, call))
        if len(path.actions) >= max_actions:
            continue
        for trans in by_node.get(call.node, []):
            found = _extend(menu, config, path, trans, len(call.fired))
            if found and _within_bound(found[1], max_visits):
                queue.append(found)
    fired = {f for _, call in finished for f in call.fired}
    suffixes: dict[str, list[list[list[dict]]]] = {}
    for path, _ in finished:
        for k, node in enumerate(path.waits):
            suffixes.setdefault(node, []).append(path.actions[k:])
    for node in suffixes:
        suffixes[node].sort(key=len)
    extra: list[tuple[Path_, Seen]] = []
    for trans in transitions:
        if trans.key in fired:
            continue
        found = _cover(menu, config, trans, reach_wait, reach_enter, suffixes)
        if found:
            extra.append(found)
            fired.update(found[1].fired)
    everything = _dedup(finished + extra)
    everything += _worst(everything)
    unreached = [t for t in transitions if t.key not in fired]
    return Generated([p for p, _ in everything], [c.summary for _, c in everything], unreached, truncated)


def _cover(menu: Menu, config: dict, trans: Transition, reach_wait: dict, reach_enter: dict,
           suffixes: dict) -> Optional[tuple[Path_, Seen]]:
    """A path that fires `trans` and then, if it can, ends the call."""
    if trans.node == ROUTE_SOURCE:
        return None  # routes are crawled from the start
    if trans.label == "next" and not menu.nodes[trans.node].waits_for_caller():
        found = reach_enter.get(trans.node)
    elif trans.node in reach_wait:
        start, start_call = reach_wait[trans.node]
        found = _extend(menu, config, start, trans, len(start_call.fired))
    else:
        found = None
    if found is None or trans.key not in found[1].fired:
        return None
    base, call = found
    why = f"covers {trans}"
    if call.ended:
        return Path_(base.route, base.actions, base.waits, why), call
    for suffix in suffixes.get(call.node, [])[:20]:
        path = Path_(base.route, base.actions + suffix, why=why)
        done, path.waits = replay(menu, config, path.route, path.actions)
        if done.ended and trans.key in done.fired:
            return path, done
    return Path_(base.route, base.actions, base.waits, why), call


def _dedup(items: list[tuple[Path_, Seen]]) -> list[tuple[Path_, Seen]]:
    seen, out = set(), []
    for path, call in items:
        if path.key() not in seen:
            seen.add(path.key())
            out.append((path, call))
    return out


def _worst(items: list[tuple[Path_, Seen]]) -> list[tuple[Path_, Seen]]:
    """The worst caller experiences among the paths, as named extra scenarios."""
    out = []
    to_human = [(c.clock, i) for i, (_, c) in enumerate(items) if c.outcome == "human"]
    if to_human:
        path, call = items[max(to_human)[1]]
        out.append((Path_(path.route, path.actions, why="worst caller: longest time to a person"), call))
    if items:
        path, call = items[max((c.steps, c.clock, i) for i, (_, c) in enumerate(items))[2]]
        out.append((Path_(path.route, path.actions, why="worst caller: most actions"), call))
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "path"


def scenario_document(menu_ref: str, menu_nodes: dict, path: Path_, result: dict, name: str) -> dict:
    expect = {"node": result["node"]} if result["node"] in menu_nodes else {}
    expect |= {"kind": result["kind"], "outcome": result["outcome"],
              "path": result["path"], "within_s": result["elapsed_s"], "within_steps": result["steps"]}
    if result["collected"]:
        expect["collected"] = result["collected"]
    if result["work_orders"]:
        expect["work_order"] = result["work_orders"][-1]
    doc = {"menu": menu_ref, "name": name}
    if path.route:
        doc["route"] = path.route
    doc["steps"] = path.steps()
    doc["expect"] = expect
    return doc


def write_scenarios(menu: Menu, menu_file: str, out_dir: str, generated: Generated) -> list[str]:
    """One scenario file per path in `out_dir`; returns the files written."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise IvrError(f"cannot create {out_dir}: {err.strerror}", "give a writable -o folder",
                       Where(out_dir, 0, 0), "unwritable") from None
    menu_ref = os.path.relpath(Path(menu_file).resolve(), out.resolve())
    written = []
    for i, (path, result) in enumerate(zip(generated.paths, generated.results), start=1):
        worst = path.why.startswith("worst")
        slug = _slug(path.why[14:]) if worst else f"{i:03d}-{_slug(result['node'])}-{result['outcome']}"
        name = f"{menu.id}: {path.why}" if path.why != "path" else \
            f"{menu.id}: {' → '.join(_dedupe_runs(result['path']))} ({result['outcome']})"
        file = out / f"{'worst-' + slug if worst else slug}.yaml"
        header = (f"# Generated by `ivr test --generate {menu_file}`: pins the menu's behaviour.\n"
                  f"# {'one path to the end of the call' if path.why == 'path' else path.why}. "
                  "Regenerate after an intended change to the menu.\n")
        body = yaml.dump(scenario_document(menu_ref, menu.nodes, path, result, name), Dumper=_PlainDumper,
                         allow_unicode=True, sort_keys=False, width=100, default_flow_style=None)
        file.write_text(header + body, encoding="utf-8")
        written.append(str(file))
    return written


class _PlainDumper(yaml.SafeDumper):
    """Repeated steps are the same dict object: write them out, not as &aliases."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _dedupe_runs(nodes: list[str]) -> list[str]:
    return [n for i, n in enumerate(nodes) if i == 0 or nodes[i - 1] != n]
