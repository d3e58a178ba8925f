"""`ivr audit --fix-suggestions` / `--fix` / `--diff`: the changes that restore
the 1-step guarantee.

Suggestions are YAML snippets to merge into the menu file, one per kind of
problem (a global human command, defaults for silence and wrong input,
nodes to drop `human` from `globals_off`, barge-in). `fix_text` applies the
same changes to the file's own text (ruamel.yaml round trip: comments and
layout kept), plus announcing the way to a person in the first prompt;
`ivr audit --fix` writes it to a new file unless asked to replace the menu.
"""
from __future__ import annotations

from typing import Optional

import yaml

from .model import Menu
from .rules import Finding

HUMAN_WORDS = {"en": ["agent", "operator", "representative"], "zh": ["转人工", "人工", "人工服务"],
               "es": ["agente", "operador", "persona"]}


def _human_target(menu: Menu) -> str:
    cmd = menu.commands.get("human")
    if cmd and cmd.target:
        return cmd.target
    humans = menu.human_nodes()
    return humans[0] if humans else "agent"


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None)


def suggest(menu: Menu, findings: list[Finding]) -> list[dict]:
    rules = {f.rule for f in findings}
    out = []
    cmd = menu.commands.get("human")
    if rules & {"human-reachable", "human-command-key", "human-voice-phrases", "human-announced-first"}:
        words = list(cmd.phrases) if cmd else []
        for lang in [menu.language, *menu.languages]:
            words += [w for w in HUMAN_WORDS.get(lang.split("-")[0], []) if w not in words]
        snippet = {"commands": {"human": {"key": "0", "say": words or HUMAN_WORDS["en"], "to": _human_target(menu)}}}
        if not menu.human_nodes():
            snippet["nodes"] = {"agent": {"kind": "human", "prompt": "Connecting you to a person."}}
        out.append({"rules": sorted(rules & {"human-reachable", "human-command-key", "human-voice-phrases"}),
                    "why": "a person one key (0) and one word away from every node",
                    "yaml": _dump(snippet)})
        off = [n.id for n in menu.nodes.values() if "human" in n.globals_off]
        if off:
            out.append({"rules": ["human-reachable"], "why": f"remove 'human' from globals_off at {off}",
                        "yaml": _dump({"nodes": {nid: {"globals_off": [g for g in menu.nodes[nid].globals_off
                                                                         if g != "human"]} for nid in off}})})
        forced = sorted({f.node for f in findings if f.rule == "human-reachable" and f.node in menu.nodes
                         and not menu.nodes[f.node].barge_in})
        if forced:  # no command can be given while a forced prompt plays
            out.append({"rules": ["human-reachable"], "why": f"let callers interrupt the prompts at {forced}",
                        "yaml": _dump({"nodes": {nid: {"barge_in": True} for nid in forced}})})
    if rules & {"no-input-outcome", "no-match-outcome"}:
        out.append({"rules": sorted(rules & {"no-input-outcome", "no-match-outcome"}),
                    "why": "silence and wrong input retry twice, then reach a person (remove node-level "
                           "no_input/no_match that override this)",
                    "yaml": _dump({"defaults": {"no_input": {"retries": 2, "then": "@human"},
                                                "no_match": {"retries": 2, "then": "@human"}}})})
    if rules & {"barge-in", "forced-adverts"}:
        forced = sorted({f.node for f in findings if f.rule in ("barge-in", "forced-adverts") and f.node})
        out.append({"rules": sorted(rules & {"barge-in", "forced-adverts"}),
                    "why": "let callers interrupt prompts; drop adverts from the caller's way",
                    "yaml": _dump({"defaults": {"barge_in": True},
                                   "nodes": {nid: {"barge_in": True} for nid in forced}})})
    return out


# --- `ivr audit --fix` / `--diff`: the same changes, applied to the file's text ---------------

ANNOUNCE = {"en": "To speak to a person at any time, press 0 or say agent.",
            "zh": "转人工请按0或说转人工。", "es": "Para hablar con una persona, pulse 0 o diga agente."}
HUMAN_RULES = {"human-reachable", "human-command-key", "human-voice-phrases", "human-announced-first"}


def _round_trip():
    """A YAML reader/writer that keeps comments, order, quotes and line breaks (ruamel.yaml),
    so the corrected file differs from the original only where it was fixed."""
    from ruamel.yaml import YAML
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _flow(data: dict):
    """A one-line mapping, `{key: "0", say: [agent], to: agent}`, as the bundled menus write them."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString
    out = CommentedMap()
    for k, v in data.items():
        if isinstance(v, list):
            v = CommentedSeq(v)
            v.fa.set_flow_style()
        elif isinstance(v, str) and (v.startswith("@") or v.isdigit()):
            v = DoubleQuotedScalarString(v)   # "@human" must be quoted; "0" stays a string
        out[k] = v
    out.fa.set_flow_style()
    return out


def _section(data, key: str):
    """data[key], created before `nodes` (where a person reading the file expects it) if missing."""
    from ruamel.yaml.comments import CommentedMap
    if key not in data:
        keys = list(data)
        data.insert(keys.index("nodes") if "nodes" in keys else len(keys), key, CommentedMap())
    return data[key]


def _announced(prompt, sentence: str):
    """`sentence` put before `prompt`, keeping a folded (`>-`) prompt folded where it was."""
    from ruamel.yaml.scalarstring import FoldedScalarString
    text = f"{sentence} {prompt}".strip()
    if isinstance(prompt, FoldedScalarString):
        folded = FoldedScalarString(text)
        folded.fold_pos = [len(sentence)] + [p + len(sentence) + 1 for p in getattr(prompt, "fold_pos", [])]
        return folded
    return text


def _first_prompted(menu: Menu) -> Optional[str]:
    """The first node whose prompt a caller hears, following automatic moves from the start."""
    nid, seen = menu.start, set()
    while nid in menu.nodes and nid not in seen:
        seen.add(nid)
        node = menu.nodes[nid]
        if node.prompt:
            return nid
        if not node.next:
            return None
        nid = menu.resolve(node.next, nid) or ""
    return None


def fix_text(menu: Menu, findings: list[Finding], text: str) -> tuple[str, list[str]]:
    """`text` (the menu file, or `menu` as our YAML for a platform's file) with the
    changes of `suggest` applied, and one line per change made. Only what a finding
    asks for is changed; comments and layout are kept."""
    import io
    rules = {f.rule for f in findings}
    rt = _round_trip()
    data = rt.load(text)
    nodes = data.setdefault("nodes", {})
    done: list[str] = []
    if rules & HUMAN_RULES:
        done += _human_command(menu, data)
        for nid in [n.id for n in menu.nodes.values() if "human" in n.globals_off]:
            node = nodes[nid]
            node["globals_off"] = [g for g in node["globals_off"] if g != "human"]
            if not node["globals_off"]:
                del node["globals_off"]
            done.append(f"{nid}: the global 'human' command is on again")
    forced = sorted({f.node for f in findings if f.node in menu.nodes and not menu.nodes[f.node].barge_in
                     and f.rule in ("human-reachable", "barge-in", "forced-adverts")})
    if forced:
        defaults = _section(data, "defaults")
        if defaults.get("barge_in") is False:
            defaults["barge_in"] = True
            done.append("defaults: barge_in: true (callers may interrupt prompts)")
        for nid in forced:
            if nodes[nid].get("barge_in") is False:
                nodes[nid]["barge_in"] = True
                done.append(f"{nid}: barge_in: true (the caller may act during this prompt)")
    for rule, field_ in (("no-input-outcome", "no_input"), ("no-match-outcome", "no_match")):
        if rule not in rules:
            continue
        defaults = _section(data, "defaults")
        if dict(defaults.get(field_) or {}) != {"retries": 2, "then": "@human"}:
            defaults[field_] = _flow({"retries": 2, "then": "@human"})
            done.append(f"defaults: {field_}: retry twice, then a person")
        for nid in sorted({f.node for f in findings if f.rule == rule and f.node in nodes}):
            if field_ in nodes[nid]:
                del nodes[nid][field_]
                done.append(f"{nid}: its own {field_} removed (it did not end with a person)")
    if "human-announced-first" in rules and (nid := _first_prompted(menu)):
        sentence = ANNOUNCE.get(menu.language.split("-")[0], ANNOUNCE["en"])
        prompt = nodes[nid].get("prompt", "")
        if sentence not in str(prompt):
            nodes[nid]["prompt"] = _announced(prompt, sentence)
            done.append(f"{nid}: its prompt now starts by announcing the way to a person")
    out = io.StringIO()
    rt.dump(data, out)
    return out.getvalue(), done


def _human_command(menu: Menu, data) -> list[str]:
    """A global `human` command on key 0 with the usual words of the menu's languages, to a
    person (a new `agent` node when the menu has none). A key or word some option already
    uses is left out: the loader refuses such a clash."""
    from ruamel.yaml.comments import CommentedMap
    cmd = menu.commands.get("human")
    used_keys = {o.key for n in menu.nodes.values() for o in n.options if o.key}
    used_words = {p for n in menu.nodes.values() for o in n.options for p in o.phrases}
    words = list(cmd.phrases) if cmd else []
    for lang in [menu.language, *menu.languages]:
        words += [w for w in HUMAN_WORDS.get(lang.split("-")[0], []) if w not in words and w not in used_words]
    done = []
    nodes = data["nodes"]
    if not menu.human_nodes():
        nodes["agent"] = _flow({"kind": "human", "prompt": "Connecting you to a person."})
        done.append("agent: a new human node (the menu had no person to reach)")
    wanted = {"key": cmd.key if cmd and cmd.key else ("0" if "0" not in used_keys else None),
              "say": words or HUMAN_WORDS["en"], "to": _human_target(menu)}
    if "commands" not in data:   # after the header fields, where the bundled menus have it
        keys = list(data)
        after = max((keys.index(k) for k in ("start", "languages", "language", "title", "id") if k in keys),
                    default=-1)
        data.insert(after + 1, "commands", CommentedMap())
    commands = data["commands"]
    current = dict(commands.get("human") or {})
    new = {k: v for k, v in wanted.items() if v}
    if {k: (list(v) if isinstance(v, list) else v) for k, v in current.items()} != new:
        commands["human"] = _flow(new)
        done.append(f"commands: human on key {new.get('key', '(none: 0 is taken)')} and the words "
                    f"{', '.join(new['say'])}, from every node, to {new['to']}")
    return done
