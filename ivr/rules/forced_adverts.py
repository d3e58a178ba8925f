"""forced-adverts: no advertising the caller must sit through.

An announcement marked `advert: true` on the caller's way — or one whose words
are marketing (option `pattern`: offers, discounts, "did you know", download
our app, 优惠, 套餐, oferta…), since imported and crawled menus are never
marked — is forced when it cannot be interrupted (`barge_in: false`), or
always when `skippable_ok` is off.

Passing example:

    id: ok
    title: No adverts
    start: main
    nodes:
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}

Failing example:

    id: adverts
    title: An advert first
    start: promo
    nodes:
      promo: {kind: announcement, prompt: Try our new premium plan today!, advert: true, duration_s: 20, barge_in: false, next: main}
      main:
        kind: menu
        prompt: For a person press 0.
        options:
          - {key: "0", to: agent}
      agent: {kind: human, prompt: Connecting you.}
"""
import re

from ._common import evidence

ID = "forced-adverts"
SEVERITY = "error"
RATIONALE = "Advertising that callers cannot skip takes their time for the company's benefit, every call."
CITATION = {"law": "GetHuman Standard v1.0", "article": "do not force callers to listen to marketing messages",
            "date": "c. 2006 (v1.0)", "status": "standard"}
FIX = "Remove the advert, or make it skippable (`barge_in: true`) and move it after the main choices."
DEFAULTS = {"skippable_ok": True,
            "pattern": r"special offer|limited time|\bpromotion|\bdiscount|\d+ ?% off|upgrade (to|your)|new plan|"
                       r"did you know|download our app|sign up (now|today)|try our|优惠|促销|特惠|套餐推荐|办理.{0,6}套餐|"
                       r"新品|oferta|promoción|descuento"}


def _marketing(menu, metrics, pattern: str) -> list:
    """Announcements whose words are marketing though nobody marked them `advert: true`
    (each distinct text searched once)."""
    said: dict = {}
    out = []
    for i in metrics.announcements[metrics.reachable[metrics.announcements]]:
        text = menu.nodes[metrics.graph.ids[i]].spoken_text()
        if text not in said:
            said[text] = bool(re.search(pattern, text.casefold()))
        if said[text]:
            out.append(i)
    return out


def check(menu, metrics, ctx):
    found = []
    for i in [*metrics.adverts, *_marketing(menu, metrics, ctx["pattern"])]:
        node = menu.nodes[metrics.graph.ids[i]]
        if not metrics.reachable[i]:
            continue
        if node.barge_in and ctx["skippable_ok"]:
            continue
        seconds = float(metrics.prompt_s[metrics.node(node.id)])
        how = "cannot be skipped" if not node.barge_in else "is played to callers"
        kind = "advert" if node.advert else "marketing announcement (recognised from its words)"
        found.append(ctx.finding(menu, node.id, f"{kind} {node.id!r} {how}: {seconds:.0f} s of marketing",
                                 evidence(metrics, node.id, seconds=seconds)))
    return found
