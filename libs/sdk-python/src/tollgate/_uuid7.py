"""UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, 74 bits that are random at each new millisecond and
counted up within it (RFC 9562 §6.2, method 2 "monotonic random"): the ids of one process are unique and
ordered even within a millisecond, and the per-id cost is one counter step and one short format (track()'s hot
path), not a fresh draw of 74 random bits.

At each new millisecond: 12 + 14 random bits (rand_a and the top of rand_b, fixed for that millisecond) and a
47-bit random start for the counter in the last 48 bits, so 2^47 ids fit in a millisecond without overflowing.
The random bits come from a private Mersenne Twister seeded from os.urandom (one C call, no syscall per id);
every forked child reseeds it and forgets the current millisecond: two processes forked from one parent must
never make the same ids, or the second one's events would come back `duplicate` and be lost.
Thread-safe: the counter is an ``itertools.count`` (one step is atomic); threads that meet at a new
millisecond each draw their own random bits.
"""

from __future__ import annotations

import itertools
import os
import random
import time
from collections.abc import Callable

_rng = random.Random()
_getrandbits = _rng.getrandbits
#: (millisecond, the id's text up to its last 12 hex digits, the counter of that millisecond).
_current: tuple[int, str, Callable[[], int]] = (-1, "", itertools.count().__next__)


def _new_millisecond(ms: int) -> tuple[int, str, Callable[[], int]]:
    global _current
    r = _getrandbits(73)
    # time_high-time_low-7 rand_a-variant 10 + 14 bits-: one format per millisecond.
    head = "%08x-%04x-7%03x-%04x-" % (  # noqa: UP031 - the fastest way in CPython
        (ms >> 16) & 0xFFFFFFFF,
        ms & 0xFFFF,
        r >> 61,
        0x8000 | (r >> 47) & 0x3FFF,
    )
    _current = state = (ms, head, itertools.count(r & 0x7FFF_FFFF_FFFF).__next__)
    return state


def _after_fork() -> None:
    global _current
    _rng.seed()
    _current = (-1, "", itertools.count().__next__)


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def uuid7(ms: int | None = None) -> str:
    if ms is None:
        ms = time.time_ns() // 1_000_000
    state = _current
    if state[0] != ms:
        state = _new_millisecond(ms)
    return state[1] + "%012x" % state[2]()  # noqa: UP031


def uuid7_time(uuid: str) -> int:
    """The Unix milliseconds a UUIDv7 carries."""
    return int(uuid[:8] + uuid[9:13], 16)
