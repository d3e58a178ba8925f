"""RTP (RFC 3550) fixed header and a UDP endpoint.

The header is packed by hand with `struct`: it is 12 bytes on the hot path of
every 20 ms packet of every call (aiortp's RtpPacket builds objects per packet).
"""
from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass
from typing import Callable, Optional

HEADER = struct.Struct("!BBHII")
FRAME_S = 0.02            # 20 ms packets
RATE = 8000               # G.711 and the telephone-event clock


@dataclass
class Packet:
    payload_type: int
    marker: bool
    seq: int
    timestamp: int
    ssrc: int
    payload: bytes


def pack(payload_type: int, seq: int, timestamp: int, ssrc: int, payload: bytes,
         marker: bool = False) -> bytes:
    return HEADER.pack(0x80, (0x80 if marker else 0) | (payload_type & 0x7F), seq & 0xFFFF,
                       timestamp & 0xFFFFFFFF, ssrc & 0xFFFFFFFF) + payload


def unpack(data: bytes) -> Optional[Packet]:
    """The packet, or None when it is not RTP version 2 or is cut short (a bad
    packet is dropped, never an exception)."""
    if len(data) < 12:
        return None
    first, second, seq, timestamp, ssrc = HEADER.unpack_from(data)
    if first >> 6 != 2:
        return None
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:  # header extension: 4-byte header + length words
        if len(data) < offset + 4:
            return None
        offset += 4 + 4 * struct.unpack_from("!H", data, offset + 2)[0]
    end = len(data)
    if first & 0x20:  # padding: last byte says how much
        end -= data[-1]
    if offset > end:
        return None
    pt = second & 0x7F
    if 72 <= pt <= 76:  # RTCP multiplexed on the RTP port (RFC 5761)
        return None
    return Packet(pt, bool(second & 0x80), seq, timestamp, ssrc, data[offset:end])


class Endpoint(asyncio.DatagramProtocol):
    """One RTP socket: packets in go to `on_packet(packet, addr)`."""

    def __init__(self, on_packet: Callable[[Packet, tuple], None]):
        self.on_packet = on_packet
        self.transport: Optional[asyncio.DatagramTransport] = None
        self.bad = 0

    def connection_made(self, transport) -> None:
        self.transport = transport

    def datagram_received(self, data: bytes, addr) -> None:
        packet = unpack(data)
        if packet is None:
            self.bad += 1
            return
        self.on_packet(packet, addr)

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable etc.: keep going
        pass

    def send(self, data: bytes, addr: tuple) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.sendto(data, addr)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    @property
    def port(self) -> int:
        return self.transport.get_extra_info("sockname")[1]


async def open_endpoint(host: str, on_packet: Callable[[Packet, tuple], None],
                        port: int = 0) -> Endpoint:
    """Bind an RTP socket on `host` (port 0: any free even-or-odd port the OS gives)."""
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_datagram_endpoint(lambda: Endpoint(on_packet), local_addr=(host, port))
    return protocol
