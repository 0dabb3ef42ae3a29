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


def uuid7(ms: int | None = None) -> str:
    if ms is None:
        ms = time.time_ns() // 1_000_000
    r = _getrandbits(74)
    # time_high-time_low-7 rand_a-variant 10 + 14 bits-48 bits: one format, no slicing (track()'s hot path).
    return "%08x-%04x-7%03x-%04x-%012x" % (  # noqa: UP031 - the fastest way in CPython
        (ms >> 16) & 0xFFFFFFFF,
        ms & 0xFFFF,
        r >> 62,
        0x8000 | (r >> 48) & 0x3FFF,
        r & 0xFFFFFFFFFFFF,
    )


def uuid7_time(uuid: str) -> int:
    """The Unix milliseconds a UUIDv7 carries."""
    return int(uuid[:8] + uuid[9:13], 16)
