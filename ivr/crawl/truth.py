"""What a crawl of an ivr menu should find, from the menu itself, through the
call engine: for the crawl-accuracy benchmark and the tests.

A *stop* is where the caller ends up after an action, as a caller perceives
it: the node where the call next waits for the caller, or, when the call
ends (a person, a goodbye), the first node it entered; when the call comes
back to the node it came from after a message ("Your balance is ..."), the
message node; a call that ends without a word is `@hangup`, as a caller
hears it (an imported transfer elsewhere sounds like that). Key edges are the keys a node offers (its options and the
global command keys) that lead to another stop; wrong keys are not edges.
"""
from __future__ import annotations

from collections import deque
from typing import Optional

from ..engine import Call
from ..model import DTMF_KEYS, Menu

WAIT = "wait"


def stop_after(menu: Menu, path: tuple[str, ...], config: Optional[dict] = None, message: bool = False) -> str:
    """The stop reached by `path` (keys, or "wait" for silence) from the start;
    with `message`, the first node heard after the last action (the message
    a crawled announcement is, wherever the call then waits)."""
    call = Call(menu, config)
    call.settle()
    origin, mark = _waiting(call), 0
    for action in path:
        origin, mark = _waiting(call), len(call.events)
        if call.ended:
            return "@ended"
        if action == WAIT:
            node = menu.nodes[call.node]
            call.wait(node.timeout_s + 0.01)
        else:
            call.press(action)
        call.settle()
    entered = [e["node"] for e in call.events[mark:] if e["type"] == "enter"
               and menu.nodes[e["node"]].kind != "goto"]
    if message and entered and menu.nodes[entered[0]].spoken_text().strip():
        return entered[0]
    if not call.ended:
        here = call.node
        if path and here == origin and entered and entered[0] != here:
            return entered[0]
        return here
    # the call ended: the first thing said on the way out; a line that just ends the call
    # (an import's transfer elsewhere, a silent hang-up) is only "the call ended" to a caller
    spoken = [n for n in entered if menu.nodes[n].spoken_text().strip()]
    return spoken[0] if spoken else "@hangup"


def _waiting(call: Call) -> Optional[str]:
    return None if call.ended else call.node


def offered_keys(menu: Menu, node_id: str) -> list[str]:
    node = menu.nodes[node_id]
    keys = [o.key for o in node.options if o.key]
    for name in ("human", "back", "main_menu"):
        cmd = menu.command(name, node)
        if cmd and cmd.key:
            keys.append(cmd.key)
    return [k for k in DTMF_KEYS if k in keys]


def truth_graph(menu: Menu, config: Optional[dict] = None) -> tuple[dict[str, tuple], dict[tuple, str]]:
    """({stop: first path}, {(stop, key): stop}) over the keys each waiting node offers."""
    start = stop_after(menu, (), config)
    paths: dict[str, tuple] = {start: ()}
    edges: dict[tuple, str] = {}
    queue = deque([start])
    while queue:
        nid = queue.popleft()
        node = menu.nodes.get(nid)
        if node is None or not node.waits_for_caller():
            continue
        for key in offered_keys(menu, nid):
            path = paths[nid] + (key,)
            to = stop_after(menu, path, config)
            if to in ("@ended", nid):
                continue
            edges[(nid, key)] = to
            if to not in paths and to in menu.nodes:
                paths[to] = path
                queue.append(to)
    return paths, edges


def steps_to_human(edges: dict[tuple, str], start: str, humans: set[str]) -> Optional[int]:
    """Fewest keys from `start` to a human stop (None: none reachable by key)."""
    seen, frontier, steps = {start}, [start], 0
    while frontier:
        if any(n in humans for n in frontier):
            return steps
        steps += 1
        nxt = []
        for (a, _), b in edges.items():
            if a in frontier and b not in seen:
                seen.add(b)
                nxt.append(b)
        frontier = nxt
    return None


def score(menu: Menu, crawled: Menu, node_paths: dict[str, tuple], config: Optional[dict] = None) -> dict:
    """Recall of the crawl against the menu: nodes, key edges, steps to a person.
    `crawled` is the written map; `node_paths` its node ids -> the path that found each."""
    paths, edges = truth_graph(menu, config)
    kinds = {n.id: n.kind for n in crawled.nodes.values()}
    # a message heard after a key is that message, wherever the call then waits
    image = {nid: stop_after(menu, p, config, message=bool(p) and kinds.get(nid) == "announcement")
             for nid, p in node_paths.items()}
    found_nodes = set(image.values()) & set(paths)
    def lands(target: str) -> set:
        """Where a crawled target leaves the caller: itself, and through a message to what follows."""
        out = {image.get(target, target)}
        node = crawled.nodes.get(target)
        if node is not None and node.kind == "announcement" and node.next:
            out.add(image.get(node.next))
        return out

    crawled_edges = {(image.get(n.id), o.key): lands(o.target)
                     for n in crawled.nodes.values() for o in _key_options(crawled, n)}
    hit = sum(1 for (a, k), b in edges.items() if b in crawled_edges.get((a, k), ()))
    humans = {n for n in paths if menu.nodes[n].kind == "human"}
    crawled_humans = {n.id for n in crawled.nodes.values() if n.kind == "human"}
    crawled_graph = {(n.id, o.key): o.target for n in crawled.nodes.values() for o in _key_options(crawled, n)}
    return {
        "truth_nodes": len(paths), "nodes_found": len(found_nodes),
        "node_recall": round(len(found_nodes) / len(paths), 3) if paths else 1.0,
        "truth_edges": len(edges), "edges_found": hit,
        "edge_recall": round(hit / len(edges), 3) if edges else 1.0,
        "missed_nodes": sorted(set(paths) - found_nodes),
        "missed_edges": sorted(f"{a} {k}->{b}" for (a, k), b in edges.items() if b not in crawled_edges.get((a, k), ())),
        "steps_to_human": steps_to_human(edges, stop_after(menu, (), config), humans),
        "crawled_steps_to_human": steps_to_human(crawled_graph, crawled.start, crawled_humans),
    }


def _key_options(menu: Menu, node):
    """A node's options by key, the global human key included where it works."""
    out = [o for o in node.options if o.key]
    cmd = menu.command("human", node)
    if cmd and cmd.key and node.waits_for_caller():
        from ..model import Option
        out.append(Option(target=cmd.target, key=cmd.key))
    return out


# human-in-main-menu is left out: it asks whether the main menu *announces* a person, which
# depends on the transcript, not on the keys (the crawl reports unannounced ways as hidden)
KEY_RULES = ("human-reachable", "menu-depth", "dead-end", "human-command-key")


def key_findings(menu: Menu, config: Optional[dict] = None) -> list[str]:
    """The audit's findings of the rules about reaching places by key (rule ids, sorted)."""
    from ..audit import audit_menu, resolve_packs
    from ..config import DEFAULTS
    config = config or DEFAULTS
    result = audit_menu(menu, resolve_packs(None, config), config)
    return sorted({f.rule for f in result.findings if f.rule in KEY_RULES and _about_keys(f)})


def _about_keys(finding) -> bool:
    """A crawl by keys cannot know what the line understands by voice."""
    if finding.rule == "human-reachable":
        return "by key" in finding.message
    if finding.rule == "human-command-key":
        return "global way" in finding.message or " is off at " in finding.message
    return True
