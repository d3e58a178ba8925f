"""human-voice-phrases: the words callers actually say for a person work everywhere.

Each required utterance (for Chinese lines 转人工, 人工, 人工服务) must be
understood by the global ``human`` command, so it works from every node.

Passing example:

    id: ok
    title: 转人工 works
    language: zh-CN
    start: main
    commands:
      human: {key: "0", say: [人工, 转人工, 人工服务], to: agent}
    nodes:
      main:
        kind: menu
        prompt: 人工服务请按0或说转人工。
        options:
          - {key: "1", say: [查询], to: agent}
      agent: {kind: human, prompt: 正在为您转接人工。}

Failing example:

    id: keys-only
    title: Only a key
    language: zh-CN
    start: main
    commands:
      human: {key: "0", to: agent}
    nodes:
      main:
        kind: menu
        prompt: 人工服务请按0。
        options:
          - {key: "1", say: [查询], to: agent}
      agent: {kind: human, prompt: 正在为您转接人工。}
"""
from ..matching import contains_phrase, normalise
from . import speaks

ID = "human-voice-phrases"
SEVERITY = "error"
RATIONALE = ("Callers ask for a person in their own words; if the usual words are not understood the "
             "caller is stuck with the machine.")
CITATION = {"law": "顾客联络服务 人工与智能客户服务协同要求 (national standard plan 20242868-T-469, issued "
                   "2024-09-29; reported as GB/T 47746—2026)", "article": "a clear transfer-to-human entry",
            "date": "2026", "status": "standard"}
FIX = "Add the phrases to the global human command: `human: {say: [转人工, 人工, 人工服务], ...}`."
DEFAULTS = {"phrases": ["转人工", "人工", "人工服务"], "languages": ["zh"]}


def check(menu, metrics, ctx):
    if not speaks(menu, ctx["languages"]):
        return []
    cmd = menu.commands.get("human")
    known = [normalise(p) for p in (cmd.phrases if cmd else [])]
    missing = [p for p in ctx["phrases"] if not any(contains_phrase(normalise(p), k) for k in known)]
    if not missing:
        return []
    return [ctx.finding(menu, None, f"saying {', '.join(missing)} does not reach a person from every node",
                        {"human_command_phrases": cmd.phrases if cmd else []})]
