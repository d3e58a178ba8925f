"""ai-disclosure: a line that listens with speech recognition or speaks synthesised prompts says so up front.

Applies when the menu understands spoken words (an option's or a command's
`say`, speech input, a knowledge-base question) — option `on_speech` — or
declares `voice: synthesised` (or `mixed`) — option `on_synthesised`. Then the
first prompt the caller hears (option `within_prompts`) must say the caller is
talking to an automated system (words matching option `pattern`: automated,
virtual assistant, 智能语音, 人工智能, asistente virtual, …).

Passing example:

    id: ok
    title: Says it is automated
    start: main
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: You are speaking with an automated assistant. For billing say billing. For a person press 0 or say agent.
        options:
          - {key: "1", say: [billing], to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: silent-ai
    title: Listens to speech without saying so
    start: main
    commands:
      human: {key: "0", say: [agent], to: agent}
    nodes:
      main:
        kind: menu
        prompt: How can I help you today? You can say billing, or agent for a person.
        options:
          - {key: "1", say: [billing], to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import re

import numpy as np

from ..metrics import VOICE
from ._common import unsaid_up_front

ID = "ai-disclosure"
SEVERITY = "warning"
RATIONALE = ("Callers have a right to know they are talking to a machine before they confide in it; "
             "a recognising, synthesised voice can pass for a person.")
CITATION = {"law": "Regulation (EU) 2024/1689 (AI Act)", "article": "art. 50(1): persons are informed that they "
            "are interacting with an AI system, unless obvious from the context", "date": "2024 (art. 50 applies "
            "from 2026-08-02)", "status": "in force"}
FIX = ("Say it in the first prompt, e.g. 'You are speaking with our automated assistant.' "
       "(智能语音服务 / 'Le atiende un asistente virtual').")
DEFAULTS = {"on_speech": True, "on_synthesised": True, "within_prompts": 1,
            "pattern": r"automat|virtual (assistant|agent)|\bai\b|artificial intelligence|robot|computer voice|"
                       r"智能|人工智能|机器人|自动语音|语音导航|合成|asistente virtual|automátic|inteligencia artificial"}
BOUNDS = {"within_prompts": (1, None)}


def _listens(menu, metrics) -> bool:
    """Does the menu recognise spoken words anywhere? (Words on an option or command
    are voice edges of the metrics' graph: one array test, not a walk over the nodes.)"""
    if bool(np.any(metrics.graph.kind == VOICE)) or any(c.phrases for c in menu.commands.values()):
        return True
    return any((n.kind == "input" and n.input_mode == "speech") or n.knowledge_base for n in menu.nodes.values())


def check(menu, metrics, ctx):
    why = []
    if ctx["on_speech"] and _listens(menu, metrics):
        why.append("recognises speech")
    if ctx["on_synthesised"] and menu.voice in ("synthesised", "mixed"):
        why.append("speaks synthesised prompts")
    if not why:
        return []
    missed = unsaid_up_front(menu, ctx["within_prompts"], lambda text: bool(re.search(ctx["pattern"], text.casefold())))
    if missed is None:
        return []
    first, heard = missed
    return [ctx.finding(menu, first, f"the line {' and '.join(why)} but its first prompt(s) "
                        f"({', '.join(heard) or first!r}) never say the caller is talking to an "
                        "automated system", {"path": heard})]
