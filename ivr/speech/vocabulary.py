"""What a caller can say at a node: the phrases the recogniser is constrained
to there. The call engine (ivr.engine / ivr.matching) then routes the
recognised text exactly as it routes typed `say` steps."""
from __future__ import annotations

from typing import Optional

from ..matching import DIGIT_WORDS
from ..model import Menu
from .recognizer import normalise


def key_words(language: str) -> dict[str, str]:
    """Spoken names of DTMF keys in the language: word -> key."""
    chinese = language.lower().startswith("zh")
    return {w: k for w, k in DIGIT_WORDS.items() if w.isascii() != chinese}


class Phrases(list):
    """The phrases of a node (a plain list of str to every engine) and, in
    `routes`, where each one leads: the option's key, the command's key or
    name. Synonyms share a route (返回 / 上一级 / 返回上一级), so a recogniser
    that weighs phrases against each other can weigh routes instead."""

    def __init__(self, routes: dict[str, str]):
        super().__init__(routes)
        self.routes = routes


def vocabulary(menu: Menu, node_id: str, language: Optional[str] = None,
               paraphrases: bool = False) -> Optional[Phrases]:
    """Every phrase understood at `node_id`: its options' phrases, the global
    commands that apply there, and the spoken names of the keys it accepts
    (every digit at an input node). None where the caller may say anything
    (a speech input such as a name, or a knowledge-base question): recognise
    free text there. With `paraphrases`, where the person command applies,
    also the lexicon's short spoken requests for a person ("operator", "real
    person": ivr.intents.spoken_phrases), which the engine routes to it."""
    node = menu.nodes[node_id]
    if (node.kind == "input" and node.input_mode == "speech") or node.knowledge_base:
        return None
    phrases: list[tuple[str, str]] = []     # (phrase, route)
    keys = set()
    for option in node.options:
        phrases += [(p, option.key or option.target) for p in option.phrases]
        keys.add(option.key)
    for name in menu.commands:
        command = menu.command(name, node)
        if command:
            phrases += [(p, command.key or name) for p in command.phrases]
            keys.add(command.key)
    if node.kind == "input":
        keys |= set("0123456789#")
    phrases += [(word, key) for word, key in key_words(language or menu.language).items() if key in keys]
    if paraphrases and (human := menu.command("human", node)):
        from ..intents import spoken_phrases
        phrases += [(p, human.key or "human") for p in spoken_phrases("human", language or menu.language)]
    routes: dict[str, str] = {}
    for phrase, route in phrases:
        if phrase := normalise(phrase):
            routes.setdefault(phrase, route)    # a phrase in two routes: the first, as listed
    return Phrases(routes)
