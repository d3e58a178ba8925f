"""Small pieces every importer shares: transfer classification, prompt text
from sound-file names, node ids, numbers."""
from __future__ import annotations

import math
import re

from ..model import Node, Queue, Where
from . import report as R
from .report import ImportReport

# A transfer whose destination is named like this reaches a person (a queue,
# an agent, an operator); anything else is an external number/extension.
HUMAN_WORDS = re.compile(r"(?i)(queue|agent|operator|attendant|reception|representative|"
                         r"support|helpdesk|help_desk|switchboard|human|callcenter|call_center|staff|advisor)")


def is_human_destination(dest: str) -> bool:
    return bool(HUMAN_WORDS.search(dest or ""))


def transfer_node(node_id: str, dest: str, how: str, where: Where, report: ImportReport,
                  prompt: str = "", queue_name: str = "", step_name: str = "") -> Node:
    """A node for a transfer: `human` when the destination (or the name the
    flow gives the step, e.g. Studio's `connect_to_operator`) names a queue /
    agent / operator, else `unknown` reported as a transfer to an external
    number — we never assume a person answers an arbitrary number."""
    if queue_name or is_human_destination(dest) or is_human_destination(step_name):
        name = queue_name or (dest if is_human_destination(dest) else step_name)
        why = f" (the step is named {step_name!r})" if step_name and not queue_name \
            and not is_human_destination(dest) else ""
        report.add(R.MAPPED, f"{how} to {dest!r} -> human node (queue {name!r}){why}", where, node_id)
        return Node(node_id, "human", prompt=prompt or f"Transferring you to {name}",
                    queue=Queue(name=name), where=where, note=f"{how} {dest}")
    report.add(R.TRANSFER, f"transfer to external number {dest!r} ({how}); not known to reach a person",
               where, node_id)
    return Node(node_id, "unknown", prompt=prompt, where=where,
                note=f"transfer to external number {dest} ({how})")


def unknown_node(node_id: str, what: str, where: Where, report: ImportReport, prompt: str = "") -> Node:
    report.add(R.UNMAPPED, what, where, node_id)
    return Node(node_id, "unknown", prompt=prompt, note=what, where=where)


def sound_to_text(sound: str) -> str:
    """Words a caller hears from a sound reference: `say:` text as is, a file
    name turned into words (`ivr/ivr-to_listen_to_moh.wav` -> `to listen to moh`);
    silence and tones give nothing."""
    sound = (sound or "").strip()
    if not sound or sound.startswith(("silence_stream:", "tone_stream:", "local_stream:")):
        return ""
    for prefix in ("say:", "speak:", "tts:"):
        if sound.startswith(prefix):
            return sound[len(prefix):].split("|")[-1].strip()
    name = re.split(r"[/\\]", sound)[-1]
    name = re.sub(r"\.(wav|mp3|gsm|ulaw|alaw|sln\d*|g729|ogg|flac)$", "", name, flags=re.I)
    name = re.sub(r"^(ivr|vm|conf|custom|digits)-", "", name)
    return {"star": "star", "pound": "pound"}.get(name, " ".join(re.split(r"[_\-]+", name)).strip())


def join_prompt(parts: list[str]) -> str:
    return " ".join(p for p in (x.strip() for x in parts) if p)


def slug(text: str, fallback: str = "node") -> str:
    s = re.sub(r"[^A-Za-z0-9_]+", "_", text or "").strip("_")
    return s or fallback


def unique_id(base: str, taken) -> str:
    nid, n = base, 2
    while nid in taken:
        nid, n = f"{base}_{n}", n + 1
    return nid


MAX_SECONDS = 86400     # the menu format's limit for any time (a day)
MAX_TRIES = 11          # retries 0-10 in the menu format, plus the first try
MAX_DIGITS = 64         # digits one input collects (an IBAN is 34)


def number(value, default: float, scale: float = 1.0, most: float = 1e9) -> float:
    """A numeric attribute (e.g. milliseconds) scaled, or `default` when
    absent/bad/not finite (`1e999`, `nan`); capped at `most`, so no platform
    number overflows int() or numpy later."""
    try:
        v = float(str(value).strip().rstrip("smS")) if value not in (None, "") else None
    except (ValueError, OverflowError):
        v = None
    if v is None or not math.isfinite(v) or v < 0:
        return default
    return min(v * scale, most)


def count(value, default: int, most: int = MAX_TRIES) -> int:
    """A whole count (tries, digits) from a platform attribute: `default` when
    absent, bad or zero; capped at `most` (what the menu format can say)."""
    return int(number(value, default, most=most)) or default


JSON_STRING_FIELD = re.compile(r'"(name|Identifier)"\s*:\s*("(?:[^"\\]|\\.)*")')


def json_field_lines(text: str) -> dict[tuple[str, str], int]:
    """{(field, its JSON-encoded value): first line} for every `"name": "..."`
    and `"Identifier": "..."` in `text`, found in one pass — looking each
    state up in the whole text again made importing quadratic."""
    lines: dict[tuple[str, str], int] = {}
    line, last = 1, 0
    for m in JSON_STRING_FIELD.finditer(text):
        line += text.count("\n", last, m.start())
        last = m.start()
        lines.setdefault((m.group(1), m.group(2)), line)
    return lines
