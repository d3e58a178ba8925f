"""Call events as transcript lines for people (`ivr call`, `ivr test` failures)."""
from __future__ import annotations

from .safe_text import for_terminal


def describe(event: dict) -> str:
    """One line of a call transcript for people (control characters made visible)."""
    return for_terminal(_describe(event))


def _describe(event: dict) -> str:
    t, kind, node = event["t"], event["type"], event["node"]
    head = f"[{t:7.1f}s] {node:<16}"
    if kind == "enter":
        tag = "advert" if event.get("advert") else event["kind"]
        return f"{head} ({tag}, {event['prompt_s']}s) {event['prompt']}"
    if kind == "end":
        return f"{head} == call ended: {event['outcome']} ({event['kind']})"
    detail = {k: v for k, v in event.items() if k not in ("t", "type", "node")}
    return f"{head} {kind}: {detail}"
