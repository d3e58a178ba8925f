"""SDP offer/answer (RFC 3264) for one audio stream with G.711 and RFC 4733.

aiosipua parses the offer; the answer is written here so it always mirrors
the offer's m-lines (unused ones get port 0) and names one codec plus
telephone-event, whatever else (opus, video) the caller offered."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Optional

from .codecs import CODECS, Codec

MIRROR = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive", "sendrecv": "sendrecv"}


class SdpError(ValueError):
    """The offer cannot be used: `status` is the SIP answer (400 unreadable, 488 no common codec)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass
class Media:
    codec: Codec
    payload_type: int                 # as offered (static PCMU/PCMA keep 0/8)
    dtmf_pt: Optional[int]            # telephone-event payload type, None if not offered
    remote: tuple[str, int]           # where to send RTP
    direction: str                    # the caller's: sendrecv, sendonly (hold), ...


def _offered(media) -> list[tuple[int, str, int]]:
    """(payload type, name, rate) per format: rtpmap wins, static types fill in."""
    static = {0: ("PCMU", 8000), 8: ("PCMA", 8000), 9: ("G722", 8000)}
    by_pt = {c.payload_type: (c.encoding_name.upper(), c.clock_rate) for c in media.codecs}
    out = []
    for fmt in media.formats:
        if not fmt.isdigit():
            continue
        pt = int(fmt)
        name, rate = by_pt.get(pt) or static.get(pt, ("?", 0))
        out.append((pt, name, rate))
    return out


def parse_offer(text: str) -> Media:
    """What the caller offers and where its RTP goes; SdpError when unusable."""
    from aiosipua import parse_sdp
    try:
        offer = parse_sdp(text)
        audio = offer.audio
        address = offer.rtp_address
    except Exception as err:  # aiosipua raises ValueError/IndexError/... on junk
        raise SdpError(400, f"unreadable SDP ({err})") from None
    if audio is None or address is None or audio.port == 0:
        raise SdpError(488, "no audio stream offered")
    formats = _offered(audio)
    codec = next((CODECS[name] for pt, name, rate in formats if name in CODECS and rate == 8000), None)
    if codec is None:
        names = ", ".join(f"{name}/{rate}" for _, name, rate in formats) or "none"
        raise SdpError(488, f"no common codec (offered {names}; ivr speaks PCMU, PCMA)")
    pt = next(pt for pt, name, rate in formats if name == codec.name)
    dtmf = next((pt for pt, name, rate in formats if name == "TELEPHONE-EVENT" and rate == 8000), None)
    return Media(codec, pt, dtmf, (address[0], address[1]), audio.direction or "sendrecv")


def answer(text: str, media: Media, local_ip: str, port: int) -> str:
    """Our answer: one line per offered m-line, audio on `port`, others refused."""
    from aiosipua import parse_sdp
    offer = parse_sdp(text)
    session = int(time.time())
    lines = ["v=0", f"o=ivr {session} {session} IN IP4 {local_ip}", "s=ivr", f"c=IN IP4 {local_ip}", "t=0 0"]
    audio_done = False
    for m in offer.media:
        if m.media == "audio" and not audio_done:
            audio_done = True
            fmts = [str(media.payload_type)] + ([str(media.dtmf_pt)] if media.dtmf_pt is not None else [])
            lines.append(f"m=audio {port} RTP/AVP {' '.join(fmts)}")
            lines.append(f"a=rtpmap:{media.payload_type} {media.codec.name}/8000")
            if media.dtmf_pt is not None:
                lines += [f"a=rtpmap:{media.dtmf_pt} telephone-event/8000", f"a=fmtp:{media.dtmf_pt} 0-15"]
            lines += ["a=ptime:20", f"a={MIRROR.get(media.direction, 'sendrecv')}"]
        else:
            lines.append(f"m={m.media} 0 {m.proto} {' '.join(m.formats) or '0'}")
    return "\r\n".join(lines) + "\r\n"


def offer(local_ip: str, port: int, codecs: tuple[str, ...] = ("PCMU", "PCMA"), dtmf_pt: int = 101) -> str:
    """An offer for a caller (UAC): G.711 and telephone-event."""
    session = int(time.time())
    pts = [CODECS[name].payload_type for name in codecs]
    lines = ["v=0", f"o=ivr {session} {session} IN IP4 {local_ip}", "s=ivr", f"c=IN IP4 {local_ip}", "t=0 0",
             f"m=audio {port} RTP/AVP {' '.join(map(str, pts + [dtmf_pt]))}"]
    lines += [f"a=rtpmap:{CODECS[name].payload_type} {name}/8000" for name in codecs]
    lines += [f"a=rtpmap:{dtmf_pt} telephone-event/8000", f"a=fmtp:{dtmf_pt} 0-15", "a=ptime:20", "a=sendrecv"]
    return "\r\n".join(lines) + "\r\n"
