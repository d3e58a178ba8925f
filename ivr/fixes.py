"""`ivr audit --fix-suggestions`: the YAML change that restores the 1-step guarantee.

Suggestions are YAML snippets to merge into the menu file, one per kind of
problem (a global human command, defaults for silence and wrong input,
nodes to drop `human` from `globals_off`, barge-in). They are proposals
for a person to review, never applied automatically.
"""
from __future__ import annotations

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
