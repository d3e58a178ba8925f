"""Optional SIP digest authentication of callers (RFC 2617/7616 MD5) and a
source allow-list. aiosipua answers challenges as a client; checking them
as a server is this small module."""
from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import time
from typing import Optional

_PARAM = re.compile(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - SIP digest is MD5 by spec


class DigestAuth:
    def __init__(self, user: str, password: str, realm: str = "ivr", nonce_ttl_s: float = 300.0):
        self.user, self.password, self.realm, self.ttl = user, password, realm, nonce_ttl_s
        self._nonces: dict[str, float] = {}

    def challenge(self) -> str:
        """A WWW-Authenticate value with a fresh nonce."""
        now = time.monotonic()
        self._nonces = {n: t for n, t in self._nonces.items() if now - t < self.ttl}
        nonce = secrets.token_hex(16)
        self._nonces[nonce] = now
        return f'Digest realm="{self.realm}", nonce="{nonce}", algorithm=MD5, qop="auth"'

    def check(self, header: Optional[str], method: str) -> bool:
        """Does the Authorization header prove the password for a live nonce?"""
        if not header or not header.strip().lower().startswith("digest"):
            return False
        params = {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
                  for m in _PARAM.finditer(header)}
        nonce = params.get("nonce", "")
        if params.get("username") != self.user or nonce not in self._nonces:
            return False
        ha1 = _md5(f"{self.user}:{self.realm}:{self.password}")
        ha2 = _md5(f"{method}:{params.get('uri', '')}")
        if params.get("qop"):
            expected = _md5(f"{ha1}:{nonce}:{params.get('nc', '')}:{params.get('cnonce', '')}:{params.get('qop')}:{ha2}")
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        return secrets.compare_digest(expected, params.get("response", ""))


class AllowList:
    """Source addresses allowed to call (CIDRs); empty = everyone who can reach the socket."""

    def __init__(self, cidrs: list[str]):
        self.networks = [ipaddress.ip_network(c, strict=False) for c in cidrs]

    def allows(self, host: str) -> bool:
        if not self.networks:
            return True
        try:
            addr = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(addr in net for net in self.networks)
