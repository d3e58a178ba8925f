"""The SIP-over-UDP transport both ends use: `ivr serve` (the server) and
`ivr crawl` (the caller).

aiosipua's UDP transport, with its protocol made to accept Python 3.11's
selector transport (aiosipua asserts a class that 3.11's does not inherit;
fixed in 3.12), and the address it is bound to (port 0 = any free port).
"""
from __future__ import annotations

import asyncio

from aiosipua.transport import UdpSipTransport


class SipUdpTransport(UdpSipTransport):
    """aiosipua's UDP transport that starts on Python 3.11 too."""

    async def start(self) -> None:
        from aiosipua.transport import _UdpProtocol

        class Protocol(_UdpProtocol):
            def connection_made(self, transport) -> None:
                self._owner._udp_transport = transport

        loop = asyncio.get_running_loop()
        self._udp_transport, _ = await loop.create_datagram_endpoint(lambda: Protocol(self),
                                                                     local_addr=self.local_addr)

    def bound_address(self) -> tuple[str, int]:
        """(host, port) the socket is bound to, once started (the real port when 0 was asked)."""
        return self._udp_transport.get_extra_info("sockname")[:2]
