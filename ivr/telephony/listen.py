"""Caller speech on a SIP call: an energy endpointer per turn on the caller's
RTP audio (ivr.speech.audio.EndOfSpeech), then the node's grammar through
the existing recogniser (ivr.speech.recognizer) in a worker thread.

Speech starting during a barge-in prompt silences the prompt at once; the
engine gets the words when they are recognised (`say(..., early=True)`)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .server import Live, Server

LEAD_S = 0.3         # audio kept before the detected start of speech
MAX_TURN_S = 10.0    # a turn longer than this is cut and recognised


class Listener:
    def __init__(self, server: "Server"):
        self.server = server
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ivr-asr")
        self.recognizers: dict[str, object] = {}

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)

    def feed(self, live: "Live", pcm: bytes, t: float) -> None:
        """100 ms of the caller's audio (16-bit 8 kHz) at call time `t`."""
        from ..speech.audio import EndOfSpeech
        from .session import Turn
        session = live.session
        turn = session.turn
        if turn is None:
            node = session.menu.nodes[session.call.node]
            turn = session.turn = Turn(EndOfSpeech(silence_s=1.0 if node.kind == "input" else 0.7))
        if turn.busy:
            return
        block = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        turn.blocks.append(block)
        if len(turn.blocks) > int(MAX_TURN_S * 10) + 10:
            turn.blocks.pop(0)
        before = turn.eos.state
        # the endpointer counts seconds at 16 kHz: repeating samples keeps the level and the time right
        state = turn.eos.feed(np.repeat(block, 2))
        if before == "waiting" and state == "speech":
            node = session.menu.nodes.get(session.call.node)
            if node is not None and node.barge_in and session.timeline.sounding(t):
                session.timeline.cut(t)
                session.emit("barge-in", by="speech", t=round(t, 3), node=node.id)
        if state == "ended" or (state == "speech" and turn.eos.heard - turn.eos.speech_start > MAX_TURN_S):
            turn.busy = True
            keep = int((turn.eos.heard - turn.eos.speech_start + LEAD_S) * 10) + 1
            audio = np.concatenate(turn.blocks[-keep:])
            self._recognise(live, turn, audio)

    def _recognise(self, live: "Live", turn, audio: np.ndarray) -> None:
        from ..speech.calls import constraints
        session = live.session
        phrases, sequence = constraints(session.call)
        language = session.menu.language
        loop = self.server.loop

        def work():
            from ..speech.audio import resample
            from ..speech.recognizer import get_recognizer
            recognizer = self.recognizers.get(language)
            if recognizer is None:
                recognizer = self.recognizers[language] = get_recognizer(None, language, self.server.config)
            return recognizer.recognize(resample(audio, 8000, recognizer.rate), phrases, sequence)

        def done(future) -> None:
            if live.ended:
                return
            try:
                result = future.result()
            except Exception as err:  # no model, bad audio: this turn is not understood
                session.emit("error", problem=f"speech not recognised: {err}")
                session.turn = None
                return
            if session.turn is turn:
                session.turn = None
            session.say(result.text, result.confidence, loop.time() - live.t0, engine=result.engine)

        future = self.pool.submit(work)
        future.add_done_callback(lambda f: loop.call_soon_threadsafe(done, f))
