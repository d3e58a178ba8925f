"""Audio codecs for RTP: G.711 µ-law (PCMU, payload 0) and A-law (PCMA, 8).

aiortp's lookup tables do the work; here each codec is paired with its SDP
name, static payload type and the byte of digital silence."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Codec:
    name: str                 # SDP encoding name
    payload_type: int         # static RTP payload type
    rate: int                 # clock rate
    silence: bytes            # one sample of silence, encoded
    encode: Callable[[bytes], bytes]   # 16-bit little-endian PCM -> payload
    decode: Callable[[bytes], bytes]   # payload -> 16-bit little-endian PCM

    def encode_samples(self, samples: np.ndarray) -> bytes:
        """float32 [-1, 1] or int16 samples at 8 kHz -> payload bytes."""
        if samples.dtype != np.int16:
            samples = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
        return self.encode(samples.astype("<i2").tobytes())


def _make() -> dict[str, Codec]:
    from aiortp.codecs.g711 import PcmaCodec, PcmuCodec
    ulaw, alaw = PcmuCodec(), PcmaCodec()
    return {"PCMU": Codec("PCMU", 0, 8000, ulaw.encode(b"\0\0"), ulaw.encode, ulaw.decode),
            "PCMA": Codec("PCMA", 8, 8000, alaw.encode(b"\0\0"), alaw.encode, alaw.decode)}


CODECS = _make()
PREFERENCE = ("PCMU", "PCMA")  # in our answer, when the offer leaves the choice open
