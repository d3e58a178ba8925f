"""human-words-every-language: the words callers use for a person work in every language the line offers.

For each language in `languages` (or the menu's `language`) that option
`phrases` has words for, each word must reach a person from every node: the
global ``human`` command must understand it. A Spanish branch that says
"diga agente" while only "agent" is understood strands Spanish callers.
Languages without a word list are not checked (a pack may add them).

Passing example:

    id: ok
    title: Both languages understood
    languages: [en, es]
    start: main
    commands:
      human: {key: "0", say: [agent, operator, representative, agente, operador, una persona], to: agent}
    nodes:
      main:
        kind: menu
        prompt: For a person say agent. Para una persona diga agente.
        options:
          - {key: "1", say: [billing], to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: english-only-words
    title: Spanish offered, only English words understood
    languages: [en, es]
    start: main
    commands:
      human: {key: "0", say: [agent, operator, representative], to: agent}
    nodes:
      main:
        kind: menu
        prompt: For a person say agent. Para una persona diga agente.
        options:
          - {key: "1", say: [billing], to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
from ..matching import contains_phrase, normalise

ID = "human-words-every-language"
SEVERITY = "error"
RATIONALE = ("A line that offers a language must understand that language's words for a person; "
             "otherwise its callers are stuck with the machine.")
CITATION = {"law": "ivr product guarantee", "article": "a person within 1 step by voice, in every language offered",
            "date": "", "status": "guidance"}
FIX = "Add the words to the global human command, e.g. `human: {say: [agent, operator, agente, operador, una persona]}`."
DEFAULTS = {"phrases": {"en": ["agent", "operator", "representative"], "es": ["agente", "operador", "una persona"],
                        "zh": ["转人工", "人工", "人工服务"]}}


def check(menu, metrics, ctx):
    cmd = menu.commands.get("human")
    known = [normalise(p) for p in (cmd.phrases if cmd else [])]
    found = []
    offered = dict.fromkeys(lang.split("-")[0].lower() for lang in (menu.languages or [menu.language]))
    for lang in offered:
        missing = [p for p in ctx["phrases"].get(lang, [])
                   if not any(contains_phrase(normalise(p), k) for k in known)]
        if missing:
            found.append(ctx.finding(menu, None, f"the line offers {lang!r} but saying {', '.join(missing)} does not "
                                     "reach a person from every node", {"language": lang, "missing": missing,
                                                                        "human_command_phrases": cmd.phrases if cmd else []}))
    return found
