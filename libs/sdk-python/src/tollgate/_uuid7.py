"""UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 74 random bits.

The random bits come from a private Mersenne Twister seeded from os.urandom (one C call, no syscall per id)
and reseeded in every forked child: two processes forked from one parent must never make the same ids,
or the second one's events would come back `duplicate` and be lost.
"""

from __future__ import annotations

import os
import random
import time

_rng = random.Random()
_getrandbits = _rng.getrandbits
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_rng.seed)

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_RAND_B = (1 << 62) - 1


def uuid7(ms: int | None = None) -> str:
    if ms is None:
        ms = time.time_ns() // 1_000_000
    r = _getrandbits(74)
    h = "%032x" % ((ms & 0xFFFFFFFFFFFF) << 80 | _VERSION_AND_VARIANT | (r >> 62) << 64 | (r & _RAND_B))
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid7_time(uuid: str) -> int:
    """The Unix milliseconds a UUIDv7 carries."""
    return int(uuid[:8] + uuid[9:13], 16)
