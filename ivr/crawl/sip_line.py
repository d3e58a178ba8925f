"""The crawler's caller side over SIP: dial (INVITE with a G.711 offer),
record the RTP audio in real time, send keys as RFC 4733 telephone-events or
SIP INFO, hang up (BYE, or CANCEL while ringing).

Built on the same pieces as `ivr serve`: aiosipua for SIP, and serve's RTP
header, G.711 codecs, SDP offer/answer and DTMF payloads (ivr/telephony/).
One asyncio loop in a background thread carries every call of a crawl; the
crawler's threads call the blocking `LineCall` methods.

Only the one target given is ever called; a REFER from it (a transfer) is
accepted as "the call goes to a person" and ends the call on our side.
"""
from __future__ import annotations

import asyncio
import ipaddress
import random
import re
import socket
import threading
import time
from typing import Optional

import numpy as np

from ..errors import IvrError
from .line import RATE, Line, LineCall

_TARGET = re.compile(r"^sips?:(?:(?P<user>[^@;]+)@)?(?P<host>\[[^\]]+\]|[^:;>]+)(?::(?P<port>\d+))?(?:;.*)?$")
FRAME = 160                        # 20 ms at 8 kHz
JITTER_S = 0.3                     # audio is read this long after it was due: late packets still count


def parse_target(target: str) -> tuple[str, str, int]:
    """(user, host, port) of sip:LINE@HOST[:PORT]; IvrError when it is not one."""
    m = _TARGET.match(target.strip())
    if not m or not m.group("host"):
        raise IvrError(f"{target!r} is not a SIP address", "give the line as sip:LINE@HOST[:PORT], "
                       "e.g. sip:1000@127.0.0.1:5060", code="bad-target")
    port = int(m.group("port") or 5060)
    if not 0 < port < 65536:
        raise IvrError(f"port {port} in {target!r} is out of range", "use a port between 1 and 65535",
                       code="bad-target")
    return m.group("user") or "", m.group("host").strip("[]"), port


def _local_ip_for(host: str) -> str:
    """Our address as the target sees it (loopback for a loopback target)."""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return "127.0.0.1"
    except ValueError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect((host, 9))   # no packet is sent: this only picks the route
        return s.getsockname()[0]


class SipCall(LineCall):
    def __init__(self, line: "SipLine"):
        self.line = line
        self.lock = threading.Lock()
        self.audio = np.zeros(0, np.float32)
        self.ts_base: Optional[int] = None   # RTP timestamp at sample index at_base
        self.at_base = 0
        self.ssrc_seen: Optional[int] = None
        self.t0: Optional[float] = None
        self.pos = 0                   # samples already read
        self.bye_at: Optional[float] = None
        self.outgoing = None
        self.media = None
        self.rtp = None
        self.sender: Optional[asyncio.Task] = None
        self.seq = random.randrange(1 << 16)
        self.ts = random.randrange(1 << 31)
        self.ssrc = random.randrange(1 << 31)
        self.dtmf_queue: list[str] = []
        self.speech: list[bytes] = []  # the caller's words, one 20 ms payload each (--try-speech)
        self.placed = time.monotonic()

    # ---- called on the loop thread ------------------------------------------
    def on_packet(self, packet, addr) -> None:
        if self.media is None or packet.payload_type != self.media.payload_type or self.t0 is None:
            return
        pcm = np.frombuffer(self.media.codec.decode(packet.payload), dtype="<i2").astype(np.float32) / 32768
        arrived = int(round((time.monotonic() - self.t0) * RATE)) - len(pcm)
        with self.lock:
            # place audio by its RTP timestamp (the sender's clock), so jitter and late
            # bursts land where they were played; re-anchor on a new stream or a big jump
            if self.ts_base is None or packet.ssrc != self.ssrc_seen or \
                    abs(self.at_base + ((packet.timestamp - self.ts_base) & 0xFFFFFFFF) - arrived) > 2 * RATE:
                self.ts_base, self.at_base, self.ssrc_seen = packet.timestamp, max(0, arrived), packet.ssrc
            at = self.at_base + ((packet.timestamp - self.ts_base) & 0xFFFFFFFF)
            end = at + len(pcm)
            if end > len(self.audio):
                self.audio = np.concatenate([self.audio, np.zeros(max(end - len(self.audio), RATE), np.float32)])
            self.audio[at:end] = pcm

    def remote_bye(self, reason: str) -> None:
        if self.bye_at is None:
            self.bye_at = time.monotonic()
            self.end_reason = reason

    async def send_media(self) -> None:
        """20 ms packets of silence (keeps the far end's media timeout quiet),
        the caller's words while they are said, telephone-events while a key is sent."""
        from ..telephony import rtp
        from ..telephony.dtmf import event_payload
        silence = self.media.codec.silence * FRAME
        next_at = time.monotonic()
        while True:
            if self.dtmf_queue and self.media.dtmf_pt is not None:
                key = self.dtmf_queue.pop(0)
                start_ts = self.ts
                for i in range(1, 9):            # 160 ms of tone, then 3 end packets
                    end = i > 5
                    payload = event_payload(key, min(i, 6) * FRAME, end=end)
                    self._send(rtp.pack(self.media.dtmf_pt, self.seq, start_ts, self.ssrc, payload, marker=i == 1))
                    next_at += 0.02
                    self.ts += FRAME
                    await asyncio.sleep(max(0.0, next_at - time.monotonic()))
                continue
            payload = self.speech.pop(0) if self.speech else silence
            self._send(rtp.pack(self.media.payload_type, self.seq, self.ts, self.ssrc, payload))
            self.ts += FRAME
            next_at += 0.02
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))

    def _send(self, data: bytes) -> None:
        self.seq = (self.seq + 1) & 0xFFFF
        if self.rtp is not None:
            self.rtp.send(data, self.media.remote)

    # ---- LineCall (crawler threads) ------------------------------------------
    @property
    def seconds(self) -> float:  # line time: from dialling until now (or the end)
        return (self.bye_at or time.monotonic()) - self.placed

    @seconds.setter
    def seconds(self, value: float) -> None:
        pass

    @property
    def ended(self) -> bool:
        if self.bye_at is None or self.t0 is None:
            return self.bye_at is not None
        return self.pos >= int((self.bye_at - self.t0) * RATE)

    @ended.setter
    def ended(self, value: bool) -> None:
        pass

    def read(self, seconds: float) -> np.ndarray:
        if self.t0 is None:
            return np.zeros(0, np.float32)
        stop = self.pos + int(round(seconds * RATE))
        if self.bye_at is not None:
            stop = min(stop, max(self.pos, int((self.bye_at - self.t0) * RATE)))
        due = self.t0 + stop / RATE + JITTER_S
        while time.monotonic() < due and self.bye_at is None:
            time.sleep(min(0.02, max(0.0, due - time.monotonic())))
        if self.bye_at is not None:
            stop = min(stop, max(self.pos, int((self.bye_at - self.t0) * RATE)))
        with self.lock:
            out = np.zeros(stop - self.pos, np.float32)
            have = self.audio[self.pos:min(stop, len(self.audio))]
            out[:len(have)] = have
        self.pos = stop
        return out

    def press(self, key: str) -> None:
        if self.bye_at is not None:
            return
        if self.line.dtmf == "info" or self.media.dtmf_pt is None:
            body = f"Signal={key}\r\nDuration=160\r\n"
            self.line.run(self._info(body))
        else:
            self.dtmf_queue.append(key)
        time.sleep(0.2)   # the key takes this long on the line

    def say(self, samples: np.ndarray) -> None:
        """Send `samples` (8 kHz) as the caller's audio; returns once they are said."""
        if self.bye_at is not None or self.media is None:
            return
        pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
        pcm = np.concatenate([pcm, np.zeros(-len(pcm) % FRAME, "<i2")])
        self.speech.extend(self.media.codec.encode(pcm[i:i + FRAME].tobytes()) for i in range(0, len(pcm), FRAME))
        time.sleep(len(pcm) / RATE + 0.1)

    async def _info(self, body: str) -> None:
        self.line.uac.send_info(self.outgoing.dialog, body, "application/dtmf-relay", self.line.remote)

    def hangup(self) -> None:
        self.line.run(self._hangup())

    async def _hangup(self) -> None:
        if self.sender is not None:
            self.sender.cancel()
        if self.outgoing is not None and self.bye_at is None:
            from aiosipua import DialogState
            if self.outgoing.dialog.state == DialogState.CONFIRMED:
                self.outgoing.hangup(self.line.uac)
            elif self.outgoing.dialog.state == DialogState.EARLY:
                self.outgoing.cancel(self.line.uac)
        if self.bye_at is None:
            self.bye_at = time.monotonic()
            self.end_reason = self.end_reason or "caller hangup"
        if self.rtp is not None:
            self.rtp.close()
            self.rtp = None
        if self.outgoing is not None:
            self.line.calls.pop(self.outgoing.call_id, None)


class SipLine(Line):
    """Calls to one SIP target (`sip:LINE@HOST[:PORT]`)."""

    def __init__(self, target: str, dtmf: str = "rfc4733", local_ip: Optional[str] = None):
        self.target = target
        self.user, self.host, self.port = parse_target(target)
        try:
            self.remote = (socket.gethostbyname(self.host), self.port)
        except OSError as err:
            raise IvrError(f"cannot resolve {self.host} ({err})", "check the host in the SIP address",
                           code="bad-target") from None
        self.dtmf = dtmf
        self.local_ip = local_ip or _local_ip_for(self.remote[0])
        self.calls: dict[str, SipCall] = {}
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="ivr-crawl-sip", daemon=True)
        self.thread.start()
        try:
            self.run(self._start())
        except OSError as err:
            self.loop.call_soon_threadsafe(self.loop.stop)
            raise IvrError(f"cannot open a SIP socket on {self.local_ip} ({err})",
                           "check the local address, or that the network is up", code="network") from None

    def run(self, coro, timeout: float = 60.0):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> None:
        from aiosipua import SipUAC

        from ..telephony.udp import SipUdpTransport  # serve's UDP transport (works on Python 3.11)
        self.transport = SipUdpTransport(local_addr=(self.local_ip, 0))
        await self.transport.start()
        self.transport.local_addr = self.transport.bound_address()
        self.transport.on_message = self._on_message
        self.uac = SipUAC(self.transport)

    def _on_message(self, msg, addr) -> None:
        from aiosipua import SipRequest, SipResponse
        if isinstance(msg, SipResponse):
            self.uac.handle_response(msg, addr)
            return
        if not isinstance(msg, SipRequest) or addr[0] != self.remote[0]:
            return  # only the target may talk to us
        call = self.calls.get(msg.call_id or "")
        if call is None or call.outgoing is None:
            return
        method = msg.method.upper()
        status = {"BYE": 200, "INFO": 200, "OPTIONS": 200, "NOTIFY": 200, "REFER": 202}.get(method, 501)
        self.transport.send(call.outgoing.dialog.create_response(msg, status), addr)
        if method == "BYE":
            call.remote_bye("hangup")
        elif method == "REFER":
            call.remote_bye(f"transfer to {msg.get_header('Refer-To') or 'another line'}")

    def dial(self, ring_timeout_s: float) -> LineCall:
        call = SipCall(self)
        try:
            self.run(self._dial(call, ring_timeout_s), timeout=ring_timeout_s + 30)
        except Exception as err:  # the network, not the user: the crawl reports it
            call.end_reason = call.end_reason or f"call failed ({err})"
            call.bye_at = call.bye_at or time.monotonic()
        return call

    async def _dial(self, call: SipCall, ring_timeout_s: float) -> None:
        from aiosipua import parse_sdp, serialize_sdp
        from ..telephony import rtp, sdp
        call.rtp = await rtp.open_endpoint(self.local_ip, call.on_packet)
        offer = sdp.offer(self.local_ip, call.rtp.port)
        local = f"sip:ivr-crawl@{self.local_ip}:{self.transport.local_addr[1]}"
        callee = f"sip:{self.user + '@' if self.user else ''}{self.host}:{self.port}"
        call.outgoing = self.uac.send_invite(local, callee, self.remote, parse_sdp(offer), user_agent="ivr-crawl")
        self.calls[call.outgoing.call_id] = call
        try:
            await call.outgoing.wait_answered(timeout=ring_timeout_s)
        except TimeoutError:
            call.outgoing.cancel(self.uac)
            call.remote_bye(f"no answer after ringing {ring_timeout_s:g} s")
            return
        except RuntimeError as err:
            call.remote_bye(str(err).replace("Call rejected: ", "refused: "))
            return
        answer = serialize_sdp(call.outgoing.sdp_answer) if call.outgoing.sdp_answer else ""
        try:
            call.media = sdp.parse_offer(answer)
        except Exception as err:
            call.answered = True
            call.t0 = time.monotonic()
            call.remote_bye(f"unusable media answer ({err})")
            return
        call.answered = True
        call.t0 = time.monotonic()
        call.sender = asyncio.ensure_future(call.send_media())

    def close(self) -> None:
        async def stop() -> None:
            for call in list(self.calls.values()):
                await call._hangup()
            self.uac.close()
            await self.transport.stop()
        try:
            self.run(stop(), timeout=10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
