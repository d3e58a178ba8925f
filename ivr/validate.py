"""Checks a schema cannot express. Each returns IvrErrors naming the place
and the fix; check_menu runs them all. These make a menu *invalid* (it
cannot run); a legal but bad design is the audit's business, not this.
"""
from __future__ import annotations

import difflib
import math
from collections import deque
from pathlib import Path
from typing import Iterator, Optional

from .errors import IvrError
from .files import inside_folder, is_file
from .matching import normalise
from .model import SPECIAL_TARGETS, TERMINAL_KINDS, Menu, Node, Where

NEEDS_NEXT = ("announcement", "input", "goto", "self_service", "work_order")
NEEDS_PROMPT = ("menu", "announcement", "input")


def _unknown(menu: Menu, target: str, what: str, where: Where) -> IvrError:
    close = difflib.get_close_matches(target, list(menu.nodes) + list(SPECIAL_TARGETS), n=1)
    hint = f"did you mean {close[0]!r}?" if close else "add that node or point at an existing one"
    return IvrError(f"{what} goes to unknown node {target!r}", hint, where, "unknown-target")


def _targets(menu: Menu) -> Iterator[tuple[str, str, Where]]:
    """Every (target, description, place) the menu names."""
    for node in menu.nodes.values():
        for opt in node.options:
            yield opt.target, f"option {opt.key or opt.phrases[:1]} of node {node.id!r}", opt.where
        if node.next:
            yield node.next, f"'next' of node {node.id!r}", node.where
        if node.waits_for_caller():
            yield node.no_input.then, f"no_input of node {node.id!r}", node.no_input.where
            yield node.no_match.then, f"no_match of node {node.id!r}", node.no_match.where
    for cmd in menu.commands.values():
        if cmd.target:
            yield cmd.target, f"command {cmd.name!r}", cmd.where
    for route in menu.priority_routes:
        yield route["to"], f"priority route {route['name']!r}", route.get("where", menu.where)


def check_targets(menu: Menu) -> list[IvrError]:
    errors = []
    if menu.start not in menu.nodes:
        errors.append(_unknown(menu, menu.start, "start", menu.where))
        errors[-1].code = "missing-start"
    has_human = menu.resolve("@human") is not None
    for target, what, where in _targets(menu):
        if target == "@human" and not has_human:
            errors.append(IvrError(f"{what} goes to @human but the menu has no human node",
                                   "add a node of kind human, or send it somewhere explicit", where,
                                   "no-human-target"))
        elif target not in SPECIAL_TARGETS and target not in menu.nodes:
            errors.append(_unknown(menu, target, what, where))
    human = menu.commands.get("human")
    if human and human.target and human.target in menu.nodes and menu.nodes[human.target].kind != "human":
        errors.append(IvrError(f"command 'human' goes to {human.target!r}, a {menu.nodes[human.target].kind} node",
                               "point it at a node of kind human", human.where, "human-not-human"))
    return errors


def check_nodes(menu: Menu) -> list[IvrError]:
    errors = []
    for node in menu.nodes.values():
        if node.kind in NEEDS_PROMPT and not node.prompt.strip():
            errors.append(IvrError(f"node {node.id!r} ({node.kind}) has an empty prompt",
                                   "write what the caller hears", node.where, "empty-prompt"))
        if node.kind == "self_service" and not (node.prompt.strip() or node.answer.strip() or node.knowledge_base):
            errors.append(IvrError(f"self-service node {node.id!r} has no prompt, answer or knowledge_base",
                                   "give the answer text", node.where, "empty-prompt"))
        if node.kind in NEEDS_NEXT and not node.next:
            errors.append(IvrError(f"{node.kind} node {node.id!r} has no 'next': after it the call would end "
                                   "in silence", "say where the call goes after it (e.g. `next: main`), or "
                                   "`next: '@hangup'` to end the call on purpose", node.where, "missing-next"))
        for opt in node.options if node.kind != "unknown" else ():  # unknown: branches, not choices
            if not opt.key and not opt.phrases:
                errors.append(IvrError(f"the option to {opt.target!r} at node {node.id!r} has neither a key "
                                       "nor words: no caller can choose it", "add `key:` or `say:`",
                                       opt.where, "unchoosable-option"))
        if node.kind == "menu" and not node.options:
            errors.append(IvrError(f"menu node {node.id!r} has no options",
                                   "add options, or make it an announcement", node.where, "no-options"))
        if node.kind not in ("menu", "input", "unknown") and node.options:  # unknown: imported branches
            errors.append(IvrError(f"{node.kind} node {node.id!r} has options, which only menus use",
                                   "make it kind: menu, or remove the options", node.where, "stray-options"))
        if node.knowledge_base:
            errors += _knowledge_base_file(menu, node)
        errors += _non_finite_queue_values(node)
        lo, hi = node.input_digits
        if node.kind == "input" and lo > hi:
            errors.append(IvrError(f"input node {node.id!r} wants {lo} to {hi} digits",
                                   "put the smaller number first", node.where, "bad-value"))
        errors += _choice_clashes(menu, node)
    return errors


def _knowledge_base_file(menu: Menu, node: Node) -> list[IvrError]:
    """A knowledge base lives in the menu's folder tree: a menu may not read another folder's
    files (nor learn whether they exist)."""
    found = inside_folder(Path(menu.source).parent, node.knowledge_base)
    if found is None:
        return [IvrError(f"knowledge base {node.knowledge_base!r} of node {node.id!r} is outside the menu's "
                         "folder", "put the knowledge base in the menu's folder (or below it) and give its "
                         "path relative to the menu file", node.where, "path-outside")]
    if not is_file(found):
        return [IvrError(f"knowledge base {node.knowledge_base!r} of node {node.id!r} not found "
                         f"(looked in {Path(menu.source).parent})", "give a path relative to the menu file",
                         node.where, "missing-file")]
    return []


def _non_finite_queue_values(node: Node) -> list[IvrError]:
    """YAML's .inf and .nan are numbers to the schema, but no queue model can use them."""
    if node.queue is None:
        return []
    return [IvrError(f"queue of node {node.id!r}: {name} is {value}", f"give {name} a finite number (not .nan or .inf)",
                     node.where, "bad-value")
            for name in ("agents", "aht_s", "calls_per_hour", "patience_s")
            if isinstance(value := getattr(node.queue, name), float) and not math.isfinite(value)]


def _choice_clashes(menu: Menu, node: Node) -> list[IvrError]:
    """A key or phrase may mean only one thing at a node (options and global commands)."""
    errors = []
    keys: dict[str, str] = {}
    phrases: dict[str, str] = {}
    for name in ("human", "repeat", "back", "main_menu"):
        cmd = menu.command(name, node)
        if cmd:
            if cmd.key:
                keys[cmd.key] = f"global command {name!r}"
            phrases.update({normalise(p): f"global command {name!r}" for p in cmd.phrases})
    for opt in node.options:
        if opt.key:
            if opt.key in keys:
                errors.append(IvrError(f"key {opt.key!r} at node {node.id!r} is used twice (also {keys[opt.key]})",
                                       "give each choice its own key", opt.where, "key-twice"))
            keys[opt.key] = f"option to {opt.target!r}"
        for phrase in opt.phrases:
            norm = normalise(phrase)
            if norm in phrases and not phrases[norm].endswith(f"{opt.target!r}"):
                errors.append(IvrError(f"phrase {phrase!r} at node {node.id!r} is used twice (also {phrases[norm]})",
                                       "give each choice its own words", opt.where, "phrase-twice"))
            phrases[norm] = f"option to {opt.target!r}"
    return errors


def successors(menu: Menu, node: Node) -> list[str]:
    """Node ids the caller can move to from `node` (own design and global commands)."""
    out = []
    for target in node.targets():
        resolved = menu.resolve(target, node.id)
        if resolved and resolved != node.id:
            out.append(resolved)
    if node.takes_commands():
        for name in ("human", "main_menu"):
            cmd = menu.command(name, node)
            if cmd:
                out.append(menu.resolve("@human" if name == "human" else "@start") or "")
    return [t for t in out if t in menu.nodes]


def _ends(menu: Menu, node: Node) -> bool:
    """The call can end here: a person, a hang-up, or a node whose policy hangs up."""
    if node.kind in TERMINAL_KINDS or node.kind == "unknown":  # unknown: leaves what the file shows
        return True
    return any(t == "@hangup" for t in node.targets())


def _reach(start: list[str], step) -> set[str]:
    seen, todo = set(start), deque(start)
    while todo:
        for nxt in step(todo.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def reachable_nodes(menu: Menu, succ: Optional[dict] = None) -> set[str]:
    """Node ids a caller can get to from the start or a priority route."""
    if menu.start not in menu.nodes:
        return set()
    succ = succ or {nid: successors(menu, node) for nid, node in menu.nodes.items()}
    starts = [menu.start] + [t for r in menu.priority_routes if (t := menu.resolve(r.get("to", ""))) in menu.nodes]
    return _reach(starts, succ.__getitem__)


def check_reachability(menu: Menu) -> list[IvrError]:
    if menu.start not in menu.nodes:
        return []  # reported by check_targets
    succ = {nid: successors(menu, node) for nid, node in menu.nodes.items()}
    reachable = reachable_nodes(menu, succ)
    errors = [IvrError(f"node {nid!r} cannot be reached from the start node {menu.start!r}",
                       "link to it from an option or 'next', or delete it", node.where, "unreachable")
              for nid, node in menu.nodes.items() if nid not in reachable]
    preds: dict[str, list[str]] = {nid: [] for nid in menu.nodes}
    for nid in reachable:
        for nxt in succ[nid]:
            preds[nxt].append(nid)
    can_end = _reach([n for n in reachable if _ends(menu, menu.nodes[n])], lambda nid: preds[nid])
    for nid in sorted(reachable - can_end):
        node = menu.nodes[nid]
        errors.append(IvrError(f"node {nid!r} is in a loop with no way out: no path from it ever reaches "
                               "a person, a hang-up or an end", "add an option to a human node, or a "
                               "global 'human' command", node.where, "loop-no-exit"))
    return errors


def check_menu(menu: Menu) -> list[IvrError]:
    """All semantic problems of a menu (empty list: valid)."""
    errors = check_targets(menu) + check_nodes(menu)
    if not any(e.code in ("unknown-target", "missing-start") for e in errors):
        errors += check_reachability(menu)
    return errors
