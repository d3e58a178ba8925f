"""The crawl as an ivr menu (through ivr.model and ivr.menu_yaml, the same
writer `ivr import -o` uses) and as the crawl report (JSON).

The YAML is marked as crawled in its header comments (target, date, calls,
line minutes); `ivr validate` and `ivr audit` read it like a design file.
Node ids come from the labels heard ("billing") where a recogniser heard
them, else from the keys that reach them ("key_1_3").
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Optional

from ..model import Command, Menu, Node, Option, Policy, Queue
from .explore import WAIT, Crawler

MIN_WRONG = 3   # keys sharing one outcome that no prompt announced: that is what a wrong key does


def wrong_keys(crawler: Crawler, node) -> tuple[set[str], Optional[str]]:
    """The keys at `node` that are no-matches, and where a wrong key goes:
    keys that replay the node; else the one outcome most keys share."""
    keys = {k: t for k, t in node.edges.items() if k != "next"}
    replay = {k for k, t in keys.items() if t == node.id}
    if not replay:  # the same message before the replay ("invalid option") counts as a replay
        counts = Counter(t for t in keys.values())
        for target, count in counts.most_common(1):
            back = leads_back(crawler, target, node.id)    # "invalid option", then this menu again
            if count >= (2 if back else MIN_WRONG) and (
                    back or not any(k in node.labels for k, t in keys.items() if t == target)):
                return {k for k, t in keys.items() if t == target}, target
        return set(), None
    return replay, node.id


def leads_back(crawler: Crawler, target: str, nid: str) -> bool:
    other = crawler.nodes.get(target)
    return bool(other and other.kind == "announcement" and other.edges.get("next") == nid)


def _slug(text: str) -> str:
    text = re.sub(r"[^\w]+", "_", text.lower()).strip("_")
    return text[:30] or ""


def node_names(crawler: Crawler) -> dict[str, str]:
    """Readable ids: the label heard for the key that first reached a node, else its keys."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for node in crawler.nodes.values():
        if node.id == crawler.start_id:
            base = "start"
        else:
            parent = next((p for p in crawler.nodes.values() if p.path == node.path[:-1]), None)
            label = parent.labels.get(node.path[-1], "") if parent and node.path else ""
            keys = "_".join("w" if a == WAIT else a.replace("*", "star").replace("#", "hash") for a in node.path)
            base = _slug(label) or f"{'input' if node.entry else node.kind}_{keys}"
        name, i = base, 2
        while name in used:
            name, i = f"{base}_{i}", i + 1
        used.add(name)
        names[node.id] = name
    return names


def _target(t: str, names: dict[str, str]) -> str:
    if t == "@silent":
        return "@hangup"  # the line went quiet: for a caller that is the end
    return names.get(t, t)


def human_key(crawler: Crawler) -> Optional[tuple[str, str]]:
    """(key, human node) when one key reaches the same person from every menu
    (two or more): the line has a global "human" command."""
    menus = [n for n in crawler.nodes.values() if n.kind == "menu"]
    if len(menus) < 2:
        return None
    for key in ("0",) + tuple(k for k in "123456789*#"):
        # a menu where the key led to silence does not say otherwise: it may be collecting digits
        targets = {n.edges.get(key) for n in menus} - {"@silent"}
        if len(targets) == 1:
            t = targets.pop()
            if t in crawler.nodes and crawler.nodes[t].kind == "human":
                return key, t
    return None


def to_menu(crawler: Crawler, target: str, language: str) -> Menu:
    """The map as a menu `ivr validate` accepts (see `_mapped`)."""
    return _mapped(crawler, target, language)[0]


def _mapped(crawler: Crawler, target: str, language: str) -> tuple[Menu, list[str]]:
    """The map, and the nodes left out of it: heard but with no written way to
    them (a key dropped as a wrong key, a partial map); the loader refuses
    unreachable nodes."""
    from ..validate import reachable_nodes
    menu = _build(crawler, target, language)
    dropped = sorted(set(menu.nodes) - reachable_nodes(menu))
    for nid in dropped:
        del menu.nodes[nid]
    return menu, dropped


def _build(crawler: Crawler, target: str, language: str) -> Menu:
    names = node_names(crawler)
    menu = Menu(id=_slug(target) or "crawled", title=f"Crawl of {target}", language=language,
                start=names.get(crawler.start_id or "", "start"), source=target)
    everywhere = human_key(crawler)
    if everywhere:
        menu.commands["human"] = Command("human", key=everywhere[0], target=names[everywhere[1]],
                                         phrases=understood(crawler, everywhere[0], everywhere[1]))
    for node in crawler.nodes.values():
        nid = names[node.id]
        prompt = node.transcript or f"(prompt not transcribed: {node.duration_s:.1f} s of speech)"
        out = Node(id=nid, kind=node.kind, prompt=prompt, duration_s=node.duration_s)
        notes = []
        if node.kind == "announcement":
            out.next = _target(node.edges.get("next", "@hangup"), names)
            out.barge_in = False
        elif node.kind == "human":
            out.queue = Queue(name=nid)
            out.duration_s = None
        elif node.kind == "menu":
            wrong, wrong_to = wrong_keys(crawler, node)
            for key, t in sorted(node.edges.items()):
                if key in wrong or t == node.id:
                    continue
                if t == "@silent":
                    notes.append(f"key {key}: the line went quiet")
                    continue
                words, reached = node.spoken.get(key, ("", ""))
                out.options.append(Option(target=_target(t, names), key=key, label=node.labels.get(key, ""),
                                          phrases=[words] if words and reached == t else []))
                if words and reached != t:
                    notes.append(f"said {words!r} (key {key}): {_speech_outcome(crawler, node, reached, names)}")
            if node.timeout_s is not None:
                out.timeout_s = node.timeout_s
            # what was not measured is written as "replays" and said so: the model's default
            # (@human) would claim a person the crawl never heard
            out.no_input = out.no_match = Policy(0, "@repeat")
            if node.no_input:
                out.no_input = Policy(node.no_input[0], _policy_target(node.no_input[1], node, names))
            else:
                notes.append("silence: not measured")
            if node.no_match and node.no_match[1]:
                out.no_match = Policy(node.no_match[0], _policy_target(node.no_match[1], node, names))
            elif wrong_to and wrong_to != node.id:
                out.no_match = Policy(0, _target(wrong_to, names))
            elif not wrong:
                notes.append("a wrong key: not measured (every key tried led somewhere)")
            if everywhere:  # the global command says it
                out.options = [o for o in out.options if o.key != everywhere[0]]
            if node.entry:   # every digit alone was refused, a number of this length was taken
                digits, then = node.entry
                out.kind, out.next, out.input_digits = "input", _target(then, names), (digits, digits)
                notes.append(f"every digit alone was refused; a {digits}-digit number then # was taken"
                             + "".join(f"; key {o.key}: {o.target}" for o in out.options))
                out.options = []
            elif node.id in crawler.unexplored:   # its keys or silence were not all tried
                out.kind = "unknown"
                notes.append(f"not fully explored: the crawl stopped ({crawler.stopped or 'stopped'})")
            elif not out.options and everywhere:
                # digits lead nowhere audible: a node collecting a number whose length was not found
                out.kind, out.next, out.input_digits = "input", nid, (1, 20)
                notes.append("every digit led back here: it collects digits (length and what follows unknown)")
            elif not out.options:  # nothing but replays: keep the caller's way on, or say so
                then = node.no_input[1] if node.no_input else "@repeat"
                out.kind = "announcement"
                out.next = _target(then, names) if then != "@repeat" else "@hangup"
                notes.append("no key led anywhere: written as an announcement")
        if notes:
            out.note = "; ".join(notes)
        menu.nodes[nid] = out
    return menu


def understood(crawler: Crawler, key: str, target: str) -> list[str]:
    """The words for `key` that reached `target` wherever they were said (never elsewhere)."""
    tried = [n.spoken[key] for n in crawler.nodes.values() if key in n.spoken]
    words = {w for w, _ in tried}
    return sorted(w for w in words if all(t == target for w2, t in tried if w2 == w))


def _speech_outcome(crawler: Crawler, node, reached: str, names: dict[str, str]) -> str:
    if reached == node.id or leads_back(crawler, reached, node.id):
        return "not understood (the menu again)"
    if reached in ("@silent", "@hangup"):
        return "the line went quiet" if reached == "@silent" else "the line hung up"
    return f"led to {names.get(reached, reached)}, not where the key leads"


def _policy_target(t: str, node, names: dict[str, str]) -> str:
    if t == "@repeat":
        return "@repeat"
    return _target(t, names)


def header(crawler: Crawler, target: str) -> str:
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# crawled by ivr crawl from {target} on {date}",
             f"# {len(crawler.calls)} calls placed, {crawler.line_seconds / 60:.1f} line minutes, "
             f"{len(crawler.nodes)} nodes",
             "# prompts are as transcribed; keys were probed one call per path"]
    if crawler.stopped:
        lines.append(f"# PARTIAL MAP: {crawler.stopped}")
    return "\n".join(lines) + "\n"


def dump(crawler: Crawler, target: str, language: str) -> str:
    from ..menu_yaml import dump_menu
    menu, dropped = _mapped(crawler, target, language)
    text = header(crawler, target)
    if dropped:
        text += f"# heard but left out (no way to them in this map): {', '.join(dropped)}\n"
    return text + dump_menu(menu)


def hidden_humans(crawler: Crawler) -> list[dict]:
    """Keys that reach a person (hold music or a human node) that no prompt
    announced. Only decidable where the prompt was transcribed."""
    out = []
    for node in crawler.nodes.values():
        for key, t in node.edges.items():
            other = crawler.nodes.get(t)
            if key == "next" or other is None or other.kind != "human":
                continue
            if not node.transcript:
                out.append({"node": node.id, "key": key, "to": t, "announced": None,
                            "why": "prompt not transcribed: cannot tell whether the key is announced"})
            elif key not in node.labels and not node.transcript_sure:
                # kept for its labels because its keys agree with the probes; too unsure to accuse
                out.append({"node": node.id, "key": key, "to": t, "announced": None,
                            "why": "the transcript is unsure and does not name this key: check by ear"})
            elif key not in node.labels and _speaks_of_a_person(node.transcript):
                # a transcript that loses the key ("press me over a person") must not accuse the line
                out.append({"node": node.id, "key": key, "to": t, "announced": None,
                            "why": "the prompt speaks of a person, but its key was not made out: check by ear"})
            elif key not in node.labels:
                out.append({"node": node.id, "key": key, "to": t, "announced": False,
                            "why": "this key reaches a person but the prompt never mentions it"})
    return out


def _speaks_of_a_person(transcript: str) -> bool:
    from ..intents import classify
    return classify(transcript, ("human",)) is not None


def report(crawler: Crawler, target: str, names: Optional[dict] = None) -> dict:
    names = names or node_names(crawler)
    edges = [{"from": names[n.id], "key": k, "to": names.get(t, t)}
             for n in crawler.nodes.values() for k, t in n.edges.items()]
    hidden = hidden_humans(crawler)
    return {
        "target": target,
        "finished": not crawler.stopped,
        "stopped": crawler.stopped,
        "calls": len(crawler.calls),
        "answered": sum(1 for c in crawler.calls if c.answered),
        "line_minutes": round(crawler.line_seconds / 60, 2),
        "nodes": [{"id": names[n.id], "kind": n.kind, "path": list(n.path), "duration_s": n.duration_s,
                   "transcript": n.transcript, "labels": n.labels, "timeout_s": n.timeout_s,
                   "no_input": n.no_input, "no_match": n.no_match} for n in crawler.nodes.values()],
        "edges": edges,
        "speech": [{"node": names[n.id], "key": k, "said": w, "reached": names.get(t, t),
                    "same_as_key": t == n.edges.get(k)} for n in crawler.nodes.values()
                   for k, (w, t) in n.spoken.items()],
        "hidden_human_options": [{**h, "node": names[h["node"]], "to": names[h["to"]]} for h in hidden
                                 if h["announced"] is False],
        "unsure": crawler.unsure + [f"{names[h['node']]} key {h['key']}: {h['why']}" for h in hidden
                                    if h["announced"] is None],
    }
