"""language-first: a multilingual line asks for the language before anything else.

Applies when the menu lists more than one language in `languages`. The first
node that asks for a choice must be the language choice: its options lead
to at least as many different places as there are languages, and its prompt
names them (or its id says language).

Passing example:

    id: ok
    title: Language first
    languages: [en, es]
    start: lang
    nodes:
      lang:
        kind: menu
        prompt: For English press 1. Para español oprima 2.
        options:
          - {key: "1", to: agent}
          - {key: "2", to: agente}
      agent: {kind: human, prompt: Connecting you.}
      agente: {kind: human, prompt: Le comunicamos.}

Failing example:

    id: late
    title: Language after billing
    languages: [en, es]
    start: main
    nodes:
      main:
        kind: menu
        prompt: For billing press 1.
        options:
          - {key: "1", to: lang}
      lang:
        kind: menu
        prompt: For English press 1. Para español oprima 2.
        options:
          - {key: "1", to: agent}
          - {key: "2", to: agente}
      agent: {kind: human, prompt: Connecting you.}
      agente: {kind: human, prompt: Le comunicamos.}
"""
import re

from ._common import first_menu

ID = "language-first"
SEVERITY = "warning"
RATIONALE = "Callers who do not understand the first prompt cannot navigate anything after it."
CITATION = {"law": "IVR usability guidance", "article": "language selection first on multilingual lines "
            "(binding on Indian telecom operators: pack trai)", "date": "", "status": "guidance"}
FIX = "Make the start a language menu: 'For English press 1. Para español oprima 2.'"
DEFAULTS = {"pattern": r"lang|idioma|语言|english|español|espanol|spanish|中文|普通话|粤语|français|hindi|हिन्दी"}


def check(menu, metrics, ctx):
    if len(set(menu.languages)) < 2:
        return []
    node = first_menu(menu)
    if node is not None:
        names = re.findall(ctx["pattern"], f"{node.id} {node.prompt}".casefold())
        targets = {o.target for o in node.options}
        if len(targets) >= 2 and (len(set(names)) >= 2 or "lang" in node.id.casefold()):
            return []
    nid = node.id if node else menu.start
    return [ctx.finding(menu, nid, f"the line offers {menu.languages} but the first choice ({nid!r}) "
                        "is not a language choice")]
