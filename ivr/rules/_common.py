"""Small helpers shared by several rule modules."""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np

from ..metrics import AUTO_KINDS, Metrics, _num, modelled
from ..model import Menu, Node


def evidence(metrics: Metrics, nid: str, **more) -> dict:
    """The caller's path to `nid`, on from there to a person, and the seconds."""
    i = metrics.node(nid)
    return {"path": metrics.path_from_start(nid), "to_human": metrics.path_to_human(nid),
            "steps_to_human": _num(metrics.steps[i]), "time_to_human_s": _num(metrics.time_to_human_s[i]),
            **more}


def live_ids(metrics: Metrics, mask: np.ndarray) -> list[str]:
    """Ids of reachable, non-final nodes where `mask` holds."""
    chosen = mask & metrics.reachable & ~metrics.ends
    return [metrics.graph.ids[i] for i in np.flatnonzero(chosen)]


def first_menu(menu: Menu) -> Optional[Node]:
    """The first node that asks the caller to choose (following automatic moves from the start)."""
    nid, seen = menu.start, set()
    while nid in menu.nodes and nid not in seen:
        seen.add(nid)
        node = menu.nodes[nid]
        if node.kind in ("menu", "input"):
            return node
        if node.kind not in AUTO_KINDS or not node.next:
            return None
        nid = menu.resolve(node.next, nid) or ""
    return None


def queued(menu: Menu, metrics: Metrics) -> list[Node]:
    """Reachable human nodes (queues), in menu order."""
    return [menu.nodes[metrics.graph.ids[i]] for i in metrics.humans if metrics.reachable[i]]


def modelled_queues(menu: Menu, metrics: Metrics) -> list:
    """(node, queue) for reachable human nodes whose queue has an arrival rate to
    model, or no agents (nobody answers, whatever the rate)."""
    return [(node, node.queue) for node in queued(menu, metrics) if modelled(node.queue)]


def queues_without(menu: Menu, metrics: Metrics, ctx, flag: str, what: str) -> list:
    """Findings for queues that lack a feature (`flag` on Queue); priority lines are exempt."""
    return [ctx.finding(menu, node.id, f"the queue at {node.id!r} {what}")
            for node in queued(menu, metrics)
            if not (node.queue and (getattr(node.queue, flag) or node.queue.priority))]


def opening(menu: Menu, prompts: int = 1) -> list[Node]:
    """The first `prompts` nodes with something to say on the way from the start
    (following automatic moves into the first choice): what the caller hears up front."""
    out, nid, seen = [], menu.start, set()
    while nid in menu.nodes and nid not in seen and len(out) < prompts:
        seen.add(nid)
        node = menu.nodes[nid]
        if node.spoken_text().strip():
            out.append(node)
        if node.kind not in AUTO_KINDS or not node.next:
            break
        nid = menu.resolve(node.next, nid) or ""
    return out


def unsaid_up_front(menu: Menu, prompts: int, says: Callable[[str], bool]) -> Optional[tuple[str, list[str]]]:
    """None when one of the first `prompts` prompts `says` it; otherwise the first
    node heard (where a finding goes) and the ids of the prompts heard."""
    heard = opening(menu, prompts)
    if any(says(n.spoken_text()) for n in heard):
        return None
    return (heard[0].id if heard else menu.start), [n.id for n in heard]
