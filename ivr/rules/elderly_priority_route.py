"""elderly-priority-route: callers aged 65+ go straight to a person ("一键呼入").

The menu must declare a priority route for elderly callers (by caller ID)
whose target is a human node, skipping every voice prompt and key choice.
Recognised by a route name or condition mentioning elderly callers, 65+,
老年 / 老人 / 长者 / 适老.

Passing example:

    id: ok
    title: Elderly callers straight through
    language: zh-CN
    start: main
    priority_routes:
      - {name: elderly, when: "主叫号码登记年龄65岁以上", to: agent}
    nodes:
      main:
        kind: menu
        prompt: 人工服务请按0。
        options:
          - {key: "0", say: [人工], to: agent}
      agent: {kind: human, prompt: 正在为您转接人工。}

Failing example:

    id: no-route
    title: Everyone through the menu
    language: zh-CN
    start: main
    nodes:
      main:
        kind: menu
        prompt: 人工服务请按0。
        options:
          - {key: "0", say: [人工], to: agent}
      agent: {kind: human, prompt: 正在为您转接人工。}
"""
import re

ID = "elderly-priority-route"
SEVERITY = "error"
RATIONALE = ("Older callers struggle most with voice prompts and key menus; since 2020-12-25 China's "
             "carriers put callers aged 65+ straight through to a person.")
CITATION = {"law": "MIIT age-friendly measure for carrier hotlines (一键呼入), under State Council General "
                   "Office 国办发〔2020〕45号", "article": "65+ callers reach a person directly, no voice "
                   "prompts or key choices", "date": "2020-12-25", "status": "in force"}
FIX = ("Add `priority_routes: [{name: elderly, when: \"caller aged 65+ (by caller ID)\", to: <human node>}]`.")
DEFAULTS = {"pattern": r"elder|senior|older|65|老年|老人|长者|适老"}


def check(menu, metrics, ctx):
    pattern = re.compile(ctx["pattern"], re.I)
    for route in menu.priority_routes:
        text = f"{route.get('name', '')} {route.get('when', '')}"
        target = menu.nodes.get(menu.resolve(route.get("to", "")) or "")
        if pattern.search(text) and target is not None and target.kind == "human":
            return []
    return [ctx.finding(menu, menu.start, "no priority route sends callers aged 65+ straight to a person",
                        {"priority_routes": [r.get("name") for r in menu.priority_routes]})]
