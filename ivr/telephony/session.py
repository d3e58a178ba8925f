"""One SIP call = one engine Call, driven on a real-time clock.

The engine's clock is virtual; here it is kept at the call's real elapsed
time: before each caller action the call `wait`s up to now (prompts that
ended move on, timeouts fire), then the key or words are given `early`
(the engine lets them cut in only where the node allows barge-in). Prompt
lengths are the real synthesised lengths (Prompts.time_engine), so the
engine's `enter` events ARE the audio timeline: each prompt plays from its
event's time until the next prompt starts (that is how barge-in stops it).

After the engine ends at a human node the session keeps the caller:
blind transfer (REFER) when an agent URI is configured, else the built-in
queue (estimated wait, call-back offer, hold music)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from ..engine import Call
from ..model import Menu
from .codecs import Codec
from .prompts import RATE, Prompts

SAMPLES = 160  # 20 ms at 8 kHz


class Timeline:
    """What the caller hears: encoded audio segments on the call's clock
    (seconds since answer). A segment plays until the next one starts."""

    def __init__(self, codec: Codec):
        self.silence = codec.silence
        self.segments: list[list] = []   # [start_s, payload, loop]

    def add(self, start: float, payload: bytes, loop: bool = False) -> None:
        while self.segments and self.segments[-1][0] >= start:  # a later plan is replaced
            self.segments.pop()
        self.segments.append([start, payload, loop])

    def cut(self, at: float) -> None:
        """Silence from `at` (the caller barged in by voice)."""
        self.add(at, b"")

    def frame(self, t: float) -> bytes:
        """The 20 ms payload starting at `t`."""
        segs = self.segments
        while len(segs) > 1 and segs[1][0] <= t + 1e-6:
            segs.pop(0)
        if not segs or segs[0][0] > t + 1e-6:
            return self.silence * SAMPLES
        start, payload, loop = segs[0]
        offset = int(round((t - start) * RATE))
        if loop and payload:
            offset %= len(payload)
            chunk = payload[offset:offset + SAMPLES]
            if len(chunk) < SAMPLES:
                chunk += payload[:SAMPLES - len(chunk)]
            return chunk
        chunk = payload[offset:offset + SAMPLES]
        return chunk + self.silence * (SAMPLES - len(chunk)) if len(chunk) < SAMPLES else chunk

    def ends_at(self) -> float:
        """When the last planned audio ends (inf while a loop plays)."""
        if not self.segments:
            return 0.0
        start, payload, loop = self.segments[-1]
        return math.inf if loop else start + len(payload) / RATE

    def sounding(self, t: float) -> bool:
        return t < self.ends_at() and any(s[0] <= t for s in self.segments)


@dataclass
class Options:
    """Server-wide behaviour of a call (from flags/config)."""
    agent_uri: Optional[str] = None          # REFER human nodes here (blind transfer)
    hold_music_samples: Optional[np.ndarray] = None  # 8 kHz float32, looped while holding
    agent_after_s: Optional[float] = None    # simulated agent answers after this hold time
    speech: bool = True                      # listen for caller speech
    _music: dict = field(default_factory=dict)

    def hold_music(self, codec: Codec) -> bytes:
        """The hold music encoded once per codec (84 ms for 4 minutes: never per call)."""
        if codec.name not in self._music:
            self._music[codec.name] = codec.encode_samples(self.hold_music_samples)
        return self._music[codec.name]


@dataclass
class Turn:
    """The caller's current spoken turn (energy endpointer + collected audio)."""
    eos: object
    blocks: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    busy: bool = False


class Session:
    """Everything about one answered call except SIP and sockets."""

    def __init__(self, menu: Menu, config: dict, prompts: Prompts, codec: Codec, options: Options,
                 emit: Callable[..., None] = lambda *a, **k: None):
        self.menu, self.config, self.prompts, self.codec = menu, config, prompts, codec
        self.options, self.emit = options, emit
        self.timeline = Timeline(codec)
        self.call = Call(menu, config)
        self.shown = 0
        self.phase = "menu"            # menu -> queue | transfer -> done
        self.hold_started: Optional[float] = None
        self.queue_info: dict = {}
        self.pending: Optional[tuple[float, str, str]] = None   # (at, action, detail)
        self.end_reason: Optional[str] = None
        self.digits: list[dict] = []
        self.turn: Optional[Turn] = None
        self.recognitions: list[dict] = []
        self._sync(0.0)

    # ---- engine -> audio --------------------------------------------------
    def _sync(self, now: float) -> None:
        """Turn new engine events into audio and log lines."""
        events = self.call.events
        for event in events[self.shown:]:
            kind = event["type"]
            if kind == "enter":
                self.turn = None  # a new prompt: a new caller turn
                if event.get("prompt"):
                    node = self.menu.nodes.get(event["node"])
                    fixed = node.duration_s if node is not None else None   # a recording of this length
                    self.timeline.add(event["t"], self.prompts.encoded(event["prompt"], self.menu.language,
                                                                       self.codec, fixed))
                else:
                    self.timeline.cut(event["t"])
                self.emit("enter", node=event["node"], kind=event.get("kind"), t=event["t"])
            elif kind == "answer":
                self.timeline.add(event["t"], self.prompts.encoded(event["text"], self.menu.language, self.codec))
                self.emit("answer", node=event["node"], t=event["t"])
            elif kind in ("choose", "command", "no_input", "no_match", "input", "work_order", "end"):
                detail = {k: v for k, v in event.items() if k in ("option", "target", "command", "outcome", "name",
                                                                  "value", "category", "reason")}
                self.emit(kind, node=event["node"], t=event["t"], **detail)
        self.shown = len(events)
        if self.call.ended and self.phase == "menu":
            self._after_engine(now)

    def _after_engine(self, now: float) -> None:
        """The menu is over: reach a person, or play out and hang up."""
        node = self.menu.nodes.get(self.call.node)
        audio_end = max(self.timeline.ends_at(), now, self.call.clock)
        if self.call.outcome != "human" or node is None:
            self.phase = "done"
            self.pending = (audio_end, "hangup", self.call.outcome or "ended")
            return
        if self.options.agent_uri:
            self.phase = "transfer"
            self.pending = (audio_end, "refer", self.options.agent_uri)
            return
        self.phase = "queue"
        self._start_queue(node, audio_end)

    def _start_queue(self, node, at: float) -> None:
        queue = node.queue
        lines = []
        if queue is not None and queue.announce_wait:
            wait_s = expected_wait(queue)
            self.queue_info["estimated_wait_s"] = wait_s
            lines.append(wait_sentence(wait_s, self.menu.language))
        if queue is not None and queue.callback:
            lines.append(callback_sentence(self.menu.language))
        self.queue_info.update(queue=queue.name if queue else None, callback_offered=bool(queue and queue.callback))
        t = at
        for line in lines:
            payload = self.prompts.encoded(line, self.menu.language, self.codec)
            self.timeline.add(t, payload)
            t += len(payload) / RATE + 0.3
        self.hold_started = t
        if self.options.hold_music_samples is not None:
            self.timeline.add(t, self.options.hold_music(self.codec), loop=True)
        else:
            self.timeline.cut(t)
        if self.options.agent_after_s is not None:
            self.pending = (t + self.options.agent_after_s, "agent", "simulated agent answered")
        self.emit("queue", node=node.id, t=round(at, 2), **self.queue_info)

    # ---- the caller -------------------------------------------------------
    def advance(self, now: float) -> None:
        """Let real time pass in the engine (prompts end, timeouts fire)."""
        if self.phase == "menu" and now > self.call.clock + 0.005:
            if self.turn is not None and (self.turn.busy or self.turn.eos.state == "speech"):
                self.call.caller_talking()   # speech started, or its words are being recognised
            self.call.wait(now - self.call.clock)
            self._sync(now)

    def press(self, key: str, method: str, now: float) -> None:
        self.digits.append({"t": round(now, 3), "key": key, "method": method, "node": self.call.node})
        self.emit("dtmf", key=key, method=method, t=round(now, 3), node=self.call.node)
        if self.phase == "menu":
            self.advance(now)
            if not self.call.ended:
                self.call.press(key, early=True)
                self._sync(now)
        elif self.phase == "queue" and key == "1" and self.queue_info.get("callback_offered"):
            self.queue_info["callback_requested"] = True
            payload = self.prompts.encoded(callback_thanks(self.menu.language), self.menu.language, self.codec)
            self.timeline.add(now, payload)
            self.phase = "done"
            self.pending = (now + len(payload) / RATE, "hangup", "callback")

    def say(self, text: str, confidence: float, now: float, engine: str = "") -> None:
        self.recognitions.append({"t": round(now, 3), "text": text, "confidence": round(confidence, 3),
                                  "node": self.call.node, "engine": engine})
        self.emit("speech", text=text, confidence=round(confidence, 3), t=round(now, 3), node=self.call.node)
        if self.phase == "menu":
            self.advance(now)
            if not self.call.ended:
                self.call.say(text, confidence, early=True)
                self._sync(now)

    def due(self, now: float) -> Optional[tuple[str, str]]:
        """An action the server must take now: ("hangup"|"refer"|"agent", detail)."""
        if self.pending and now >= self.pending[0]:
            _, action, detail = self.pending
            self.pending = None
            if action == "agent":
                self.queue_info["agent_answered_after_s"] = round(now - (self.hold_started or now), 2)
                payload = self.prompts.encoded(agent_sentence(self.menu.language), self.menu.language, self.codec)
                self.timeline.add(now, payload)
                self.phase = "done"
                self.pending = (now + len(payload) / RATE, "hangup", "agent")
                return None
            return action, detail
        return None

    def listening(self) -> bool:
        return self.options.speech and self.phase == "menu" and not self.call.ended

    def hangup(self, now: float, reason: str) -> dict:
        """The call is over (`reason`: bye, media-timeout, shutdown, ...): the result to record."""
        self.end_reason = self.end_reason or reason
        if self.phase == "menu" and not self.call.ended:
            self.advance(now)
            self.call.hangup()
            self._sync(now)
        result = self.call.to_dict()
        if self.hold_started is not None:
            self.queue_info["hold_s"] = round(max(0.0, now - self.hold_started), 2)
        return result


# ---- queue wording ---------------------------------------------------------
def expected_wait(queue) -> float:
    """Mean wait of queued callers by Erlang C (ivr.queueing)."""
    from ..queueing.erlang import erlang_c
    try:
        figures = erlang_c(queue.calls_per_hour, queue.aht_s, queue.agents)
    except Exception:  # an overloaded or empty queue has no finite Erlang C wait
        return 0.0
    return float(figures.get("asa_s") or figures.get("mean_wait_s") or 0.0)


def _zh(language: str) -> bool:
    return language.lower().startswith("zh")


def wait_sentence(seconds: float, language: str) -> str:
    if not math.isfinite(seconds):
        return "所有坐席都在忙，请稍候。" if _zh(language) else "All our agents are busy. Please hold."
    minutes = max(1, round(seconds / 60))
    if _zh(language):
        return f"预计等待时间约{minutes}分钟。"
    return f"Your estimated wait is about {minutes} minute{'s' if minutes > 1 else ''}."


def callback_sentence(language: str) -> str:
    if _zh(language):
        return "如需回电，请按1。"
    return "To be called back instead of waiting, press 1."


def callback_thanks(language: str) -> str:
    return "好的，我们会给您回电。再见。" if _zh(language) else "Thank you. We will call you back. Goodbye."


def agent_sentence(language: str) -> str:
    return "人工客服已接通。" if _zh(language) else "An agent is now taking your call."


def queue_sentences(menu: Menu) -> list[str]:
    """Every queue sentence a menu can need (synthesised before calls)."""
    out = [callback_sentence(menu.language), callback_thanks(menu.language), agent_sentence(menu.language)]
    for node in menu.nodes.values():
        if node.kind == "human" and node.queue is not None and node.queue.announce_wait:
            out.append(wait_sentence(expected_wait(node.queue), menu.language))
    return out
