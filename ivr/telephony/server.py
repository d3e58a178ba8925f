"""`ivr serve`: a SIP user agent (aiosipua, UDP and TCP) that answers calls
and runs each through the call engine (session.py) with RTP media (rtp.py).

One asyncio loop; one 20 ms ticker sends every call's next RTP packet and
lets each call's clock run. Each call's faults stay in that call: a handler
error ends that call (recorded), never the server.

aiosipua workarounds (subclass, not copies): retransmitted INVITEs are
absorbed by their Via branch (aiosipua answered them 481 once the dialog
was confirmed), SIP INFO is dispatched (aiosipua answers 405), and DTMF is
read from the first RFC 4733 packet by our own RTP code (aiortp reports a
digit at its end packet)."""
from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Optional

from aiosipua import SipUAS

from .auth import AllowList, DigestAuth
from .dtmf import EventDetector, info_digit
from .prompts import Prompts
from .records import save_sip_call
from .rtp import FRAME_S, Packet, open_endpoint, pack
from .sdp import Media, SdpError, answer, parse_offer
from .session import Options, Session
from .udp import SipUdpTransport

MAX_REMEMBERED = 4096     # answered non-INVITE requests kept for retransmissions
MAX_CATCH_UP = 5           # frames sent at once after a stall (older ones are skipped)
LISTEN_BLOCK = 800         # 100 ms at 8 kHz for the speech endpointer


class IvrUAS(SipUAS):
    """aiosipua's UAS plus INFO and absorbing INVITE retransmissions."""

    def __init__(self, *args, on_info: Callable = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_info = on_info
        self._handlers["INFO"] = self._handle_info
        # answers to non-INVITE requests, for their retransmissions (RFC 3261 §17.2.2):
        # aiosipua ran a retransmitted INFO/BYE through the dialog again -> 500 (CSeq not increasing)
        self._answers: OrderedDict = OrderedDict()
        self._request_key: Optional[tuple] = None
        send_reply = self.transport.send_reply

        def remember(response) -> None:
            if self._request_key is not None:
                self._answers[self._request_key] = response
                while len(self._answers) > MAX_REMEMBERED:
                    self._answers.popitem(last=False)
            send_reply(response)
        self.transport.send_reply = remember

    def _handle_request(self, request, addr) -> None:
        key = None
        if request.method.upper() not in ("INVITE", "ACK"):
            key = (request.call_id, _branch(request), request.headers.get_first("cseq"))
            if key in self._answers:  # a retransmission: the same answer again
                self._request_key = None
                self.transport.send_reply(self._answers[key])
                return
        self._request_key = key
        try:
            super()._handle_request(request, addr)
        finally:
            self._request_key = None

    def _handle_invite(self, request, addr) -> None:
        existing = self._calls.get(request.call_id or "")
        if existing is not None and _branch(existing.invite) == _branch(request) and _branch(request):
            if not existing._answered:
                existing.trying()  # the 200 is retransmitted by accept() until the ACK
            return
        super()._handle_invite(request, addr)

    def _handle_info(self, request, addr) -> None:
        call = self._calls.get(request.call_id or "")
        if call is None:
            self._send_error(request, 481, "Call/Transaction Does Not Exist")
            return
        if not self._validate_in_dialog(call.dialog, request):
            return
        digit = info_digit(request.content_type or "", request.text or "")
        status = 200 if digit is not None or not request.body else 415
        resp = call.dialog.create_response(request, status, "OK" if status == 200 else "Unsupported Media Type")
        self.transport.send_reply(resp)
        if digit is not None and self.on_info is not None:
            self.on_info(call, digit)


def _branch(request) -> Optional[str]:
    vias = request.via
    return vias[0].branch if vias else None


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 5060
    tcp: bool = True
    max_calls: int = 100
    media_timeout_s: float = 10.0
    allow: list[str] = field(default_factory=list)
    auth: Optional[tuple[str, str]] = None
    db: Optional[str] = None                 # None: do not record
    fmt: str = "text"
    max_call_s: float = 3600.0               # a call is ended after this long, whatever happens
    answer_after_s: float = 0.0              # ring this long before answering (180 Ringing)


class Live:
    """An answered call: SIP handle, RTP socket, engine session, counters."""

    def __init__(self, server: "Server", sip, media: Media, menu, endpoint, session: Session, t0: float):
        self.server, self.sip, self.media, self.menu = server, sip, media, menu
        self.endpoint, self.session, self.t0 = endpoint, session, t0
        self.ssrc = random.getrandbits(32)
        self.seq = random.getrandbits(16)
        self.ts0 = random.getrandbits(32)
        self.sent = 0
        self.last_rx = t0
        self.rx_packets = 0
        self.detector = EventDetector()
        self.methods: set[str] = set()
        self.pcm = bytearray()
        self.ended = False
        self.sent_times: list[float] = []   # send times, sampled for the jitter figure

    def tick(self, now: float) -> None:
        t = now - self.t0
        due = int(t / FRAME_S) + 1
        if due - self.sent > MAX_CATCH_UP:
            self.sent = due - MAX_CATCH_UP
        codec, media = self.media.codec, self.media
        while self.sent < due:
            k = self.sent
            payload = self.session.timeline.frame(k * FRAME_S)
            if media.direction != "inactive":
                self.endpoint.send(pack(media.payload_type, self.seq + k, self.ts0 + 160 * k, self.ssrc, payload,
                                        marker=(k == 0)), media.remote)
            self.sent += 1
        self.session.advance(t)
        action = self.session.due(t)
        if action is not None:
            self.server.act(self, *action)
        elif now - self.last_rx > self.server.settings.media_timeout_s:
            self.server.end(self, "media-timeout", send_bye=True)
        elif t > self.server.settings.max_call_s:
            self.server.end(self, "max-duration", send_bye=True)

    def on_rtp(self, packet: Packet, addr) -> None:
        now = self.server.loop.time()
        self.last_rx = now
        self.rx_packets += 1
        if self.ended:
            return
        if packet.payload_type == self.media.dtmf_pt:
            digit = self.detector.feed(packet.payload, packet.timestamp)
            if digit:
                self.digit(digit, "rfc4733")
        elif packet.payload_type == self.media.payload_type and self.session.listening():
            self.pcm += self.media.codec.decode(packet.payload)
            if len(self.pcm) >= 2 * LISTEN_BLOCK:
                block, self.pcm = bytes(self.pcm[:2 * LISTEN_BLOCK]), self.pcm[2 * LISTEN_BLOCK:]
                self.server.listener.feed(self, block, now - self.t0)

    def digit(self, key: str, method: str) -> None:
        self.methods.add(method)
        self.session.press(key, method, self.server.loop.time() - self.t0)


class Server:
    def __init__(self, menus: dict, default: str, config: dict, settings: Settings, options: Options,
                 prompts: Prompts, out=None):
        self.menus, self.default, self.config = menus, default, config
        self.settings, self.options, self.prompts = settings, options, prompts
        self.out = out or sys.stdout
        self.lives: dict[str, Live] = {}
        self.ringing: set[str] = set()
        self.auth = DigestAuth(*settings.auth) if settings.auth else None
        self.allow = AllowList(settings.allow)
        self.stopping = asyncio.Event()
        self.shutting_down = False
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ivr-records")
        self.pending_writes: list = []
        self.stats = {"answered": 0, "rejected": 0, "ended": 0, "recorded": 0}
        self.uas: list[IvrUAS] = []
        from .listen import Listener
        self.listener = Listener(self)

    # ---- logging ------------------------------------------------------------
    def log(self, call_id: str, event: str, **detail) -> None:
        """One line per call event: text on stderr, or JSON lines on stdout."""
        record = {"ts": round(time.time(), 3), "call": call_id, "event": event, **detail}
        try:
            if self.settings.fmt == "json":
                self.out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
                self.out.flush()
            else:
                fields = " ".join(f"{k}={v}" for k, v in detail.items() if v is not None)
                stamp = time.strftime("%H:%M:%S", time.localtime(record["ts"])) + f".{int(record['ts'] * 1000) % 1000:03d}"
                sys.stderr.write(f"{stamp} {call_id[:12]} {event} {fields}\n")
        except (BrokenPipeError, ValueError):
            pass

    # ---- lifecycle ------------------------------------------------------------
    async def start(self) -> None:
        from aiosipua.transport import TcpSipTransport
        self.loop = asyncio.get_running_loop()
        transports = [SipUdpTransport(local_addr=(self.settings.host, self.settings.port))]
        if self.settings.tcp:
            transports.append(TcpSipTransport(local_addr=(self.settings.host, self.settings.port)))
        for transport in transports:
            if self.uas and self.settings.port == 0:  # TCP on the port UDP was given
                transport.local_addr = (self.settings.host, self.port)
            uas = IvrUAS(transport, user_agent="ivr", on_info=self.on_info)
            uas.on_invite = self.on_invite
            uas.on_bye = self.on_bye
            uas.on_cancel = self.on_cancel
            uas.on_reinvite = self.on_reinvite
            uas.on_ack_timeout = lambda call: self.on_gone(call, "no-ack")
            await uas.start()
            self.uas.append(uas)
            if len(self.uas) == 1:
                self.port = transport._udp_transport.get_extra_info("sockname")[1]
        self.ticker = self.loop.create_task(self._tick_forever())

    async def run(self) -> None:
        await self.start()
        # each call builds a state machine of many small objects; the cyclic GC's
        # full passes over them stalled the 20 ms ticker (gaps up to 120 ms at 100 calls)
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 1000)
        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self.loop.add_signal_handler(sig, self.stopping.set)
            except (NotImplementedError, RuntimeError):
                pass
        self.log("-", "listening", listen=f"{self.settings.host}:{self.port}", udp=True, tcp=self.settings.tcp,
                 menus=",".join(self.menus), default=self.default)
        await self.stopping.wait()
        await self.shutdown()

    async def shutdown(self) -> None:
        """End every call (BYE) and record it, then close the sockets."""
        self.shutting_down = True
        for live in list(self.lives.values()):
            self.end(live, "shutdown", send_bye=True)
        self.ticker.cancel()
        for future in self.pending_writes:
            await asyncio.wrap_future(future)
        self.writer.shutdown(wait=True)
        self.listener.close()
        await asyncio.sleep(0.05)  # let the BYEs leave
        for uas in self.uas:
            await uas.stop()
        self.log("-", "stopped", **self.stats)

    async def _tick_forever(self) -> None:
        next_t = self.loop.time()
        while True:
            next_t += FRAME_S
            delay = next_t - self.loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            else:
                next_t = self.loop.time()  # fell behind: catch up from now
            now = self.loop.time()
            for live in list(self.lives.values()):
                try:
                    live.tick(now)
                except Exception as err:  # one call's bug ends that call, not the others
                    self.log(live.sip.call_id, "error", problem=repr(err))
                    self.end(live, "error", send_bye=True)

    # ---- SIP callbacks ------------------------------------------------------
    def _reject(self, call, status: int, reason: str, why: str, headers: Optional[dict] = None) -> None:
        self.stats["rejected"] += 1
        if headers:
            call._send_response(status, reason, extra_headers=headers)
            call.dialog.terminate()
        else:
            call.reject(status, reason)
        self.log(call.call_id, "rejected", status=status, reason=why, remote=call.caller)

    def on_invite(self, call) -> None:
        host = call.source_addr[0]
        if self.shutting_down:
            return self._reject(call, 503, "Service Unavailable", "shutting down")
        if not self.allow.allows(host):
            return self._reject(call, 403, "Forbidden", f"source {host} not allowed")
        if self.auth and not self.auth.check(call.invite.get_header("authorization"), "INVITE"):
            return self._reject(call, 401, "Unauthorized", "authentication required",
                                {"WWW-Authenticate": self.auth.challenge()})
        if len(self.lives) + len(self.ringing) >= self.settings.max_calls:
            return self._reject(call, 486, "Busy Here", f"call limit {self.settings.max_calls} reached")
        menu = self.menus.get(_user(call.invite.uri)) or self.menus[self.default]
        try:
            media = parse_offer(call.invite.text or "")
        except SdpError as err:
            return self._reject(call, err.status, "Not Acceptable Here" if err.status == 488 else "Bad Request",
                                str(err))
        self.ringing.add(call.call_id)
        self.log(call.call_id, "invite", remote=call.caller, menu=menu.id, codec=media.codec.name,
                 dtmf="rfc4733" if media.dtmf_pt is not None else "info-only")
        if self.settings.answer_after_s > 0:
            call.ringing()
            self.loop.call_later(self.settings.answer_after_s,
                                 lambda: self.loop.create_task(self._answer(call, menu, media)))
        else:
            self.loop.create_task(self._answer(call, menu, media))

    async def _answer(self, call, menu, media: Media) -> None:
        from aiosipua import parse_sdp
        live = None
        if call.call_id not in self.ringing:  # cancelled while ringing
            return
        try:
            endpoint = await open_endpoint(self.settings.host, lambda p, a: live and live.on_rtp(p, a))
            if call.call_id not in self.ringing:  # cancelled while the socket opened
                endpoint.close()
                return
            session = Session(menu, self.config, self.prompts, media.codec, self.options,
                              emit=lambda event, **d: self.log(call.call_id, event, **d))
            sdp = answer(call.invite.text, media, self.settings.host, endpoint.port)
            call.accept(parse_sdp(sdp))
            live = Live(self, call, media, menu, endpoint, session, self.loop.time())
            self.lives[call.call_id] = live
            self.stats["answered"] += 1
            self.log(call.call_id, "answered", menu=menu.id, codec=media.codec.name,
                     rtp=f"{self.settings.host}:{endpoint.port}", remote_rtp=f"{media.remote[0]}:{media.remote[1]}")
        except Exception as err:
            self.log(call.call_id, "error", problem=repr(err))
            if live is None:
                call.reject(500, "Server Internal Error")
            else:
                self.end(live, "error", send_bye=True)
        finally:
            self.ringing.discard(call.call_id)

    def on_info(self, call, digit: str) -> None:
        live = self.lives.get(call.call_id)
        if live is not None and not live.ended:
            live.digit(digit, "info")

    def on_bye(self, call, request) -> None:
        live = self.lives.get(call.call_id)
        if live is not None:
            self.end(live, "bye")

    def on_gone(self, call, reason: str) -> None:
        live = self.lives.get(call.call_id)
        if live is not None:
            self.end(live, reason)

    def on_cancel(self, request, addr) -> None:
        call_id = request.call_id or ""
        self.ringing.discard(call_id)
        live = self.lives.get(call_id)
        if live is not None:  # CANCEL crossed our 200: the call stands until BYE
            return
        self.log(call_id, "cancelled", remote=addr[0])

    def on_reinvite(self, call) -> None:
        from aiosipua import parse_sdp
        live = self.lives.get(call.call_id)
        if live is None:
            return
        if not call.invite.body:  # offerless re-INVITE: offer our current SDP again
            call.accept(call.sdp_answer)
            return
        try:
            media = parse_offer(call.invite.text)
        except SdpError as err:
            call._send_response(err.status, "Not Acceptable Here")
            return
        if media.codec.name != live.media.codec.name:  # prompts are encoded for the first codec
            call._send_response(488, "Not Acceptable Here")
            self.log(call.call_id, "reinvite-refused", codec=media.codec.name)
            return
        live.media = media
        live.session.timeline  # same codec: the timeline carries on
        call.accept(parse_sdp(answer(call.invite.text, media, self.settings.host, live.endpoint.port)))
        self.log(call.call_id, "reinvite", remote_rtp=f"{media.remote[0]}:{media.remote[1]}", direction=media.direction)

    # ---- ending -------------------------------------------------------------
    def act(self, live: Live, action: str, detail: str) -> None:
        if action == "hangup":
            self.end(live, detail, send_bye=True)
        elif action == "refer":
            self.refer(live, detail)

    def refer(self, live: Live, target: str) -> None:
        """Blind transfer: ask the caller's UA to call the agent, then leave the call."""
        from aiosipua.dialog import DialogState
        call = live.sip
        if call.dialog.state != DialogState.CONFIRMED:
            self.end(live, "transfer-failed", send_bye=True)
            return
        local = call._signaling_addr()
        refer = call.dialog.create_request("REFER", via_host=local[0], via_port=local[1])
        refer.headers.set_single("Refer-To", f"<{target}>")
        refer.headers.set_single("Referred-By", f"<sip:ivr@{local[0]}:{local[1]}>")
        refer.headers.set_single("Contact", f"<sip:ivr@{local[0]}:{local[1]}>")
        call.transport.send(refer, call.source_addr)
        live.session.end_reason = "transfer"
        live.session.queue_info["transferred_to"] = target
        self.log(call.call_id, "refer", to=target)
        # the caller's UA calls the agent itself; our leg ends shortly after
        live.session.pending = (self.loop.time() - live.t0 + 2.0, "hangup", "transfer")

    def end(self, live: Live, reason: str, send_bye: bool = False) -> None:
        if live.ended:
            return
        live.ended = True
        now = self.loop.time()
        self.lives.pop(live.sip.call_id, None)
        if send_bye:
            try:
                live.sip.hangup()
                live.sip._stop_retransmissions()
            except Exception as err:  # the dialog may be half gone
                self.log(live.sip.call_id, "error", problem=f"BYE failed: {err!r}")
            for uas in self.uas:
                uas._calls.pop(live.sip.call_id, None)
        live.endpoint.close()
        result = live.session.hangup(now - live.t0, reason)
        self.stats["ended"] += 1
        sip = {"sip_call_id": live.sip.call_id, "remote_uri": live.sip.caller,
               "remote_addr": f"{live.sip.source_addr[0]}:{live.sip.source_addr[1]}",
               "codec": live.media.codec.name, "dtmf_methods": sorted(live.methods),
               "end_reason": live.session.end_reason, "real_duration_s": round(now - live.t0, 2),
               "detail": {"digits": live.session.digits, "speech": live.session.recognitions,
                          "queue": live.session.queue_info, "rx_packets": live.rx_packets, "tx_packets": live.sent}}
        self.log(live.sip.call_id, "ended", reason=live.session.end_reason, outcome=result["outcome"],
                 node=result["final_node"], path="/".join(e["node"] for e in result["events"] if e["type"] == "enter"),
                 seconds=sip["real_duration_s"])
        if self.settings.db:
            future = self.writer.submit(self._record, live.menu, result, sip)
            self.pending_writes.append(future)
            self.pending_writes = [f for f in self.pending_writes if not f.done()]

    def _record(self, menu, result: dict, sip: dict) -> None:
        try:
            saved = save_sip_call(self.settings.db, menu, result, self.config, sip)
            self.stats["recorded"] += 1
            self.loop.call_soon_threadsafe(lambda: self.log(sip["sip_call_id"], "recorded", record=saved["call_id"],
                                                            db=self.settings.db))
        except Exception as err:  # a full disk loses this record, not the server
            self.loop.call_soon_threadsafe(lambda: self.log(sip["sip_call_id"], "error",
                                                            problem=f"record not written: {err!r}"))


def _user(uri: str) -> str:
    """The user part of a request-URI: sip:consumer-service@host -> consumer-service."""
    rest = uri.split(":", 1)[-1]
    return rest.split("@", 1)[0] if "@" in rest else ""
