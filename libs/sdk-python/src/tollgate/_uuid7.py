"""UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, then 74 bits drawn at random at each new millisecond
and counted up within it (RFC 9562 §6.2, method 2 "monotonic random"): the ids of one process are unique and
ordered even within a millisecond, and an id costs one counter step, a table look-up and one concatenation
(track()'s hot path), not a fresh draw of 74 random bits and their formatting.

At each new millisecond the 66 bits above the last byte are drawn at random (the top one clear: room to count
on) and the last byte counts from 0 in a run of 256 ids (its hex from a table, the rest of the text made once
per run); a used-up run moves the bits above on by one, under a lock (at most every 256th id). The random bits
come from a private Mersenne Twister seeded from os.urandom (one C call, no syscall per id); every forked child
reseeds it and forgets the current run: two processes forked from one parent must never make the same ids, or
the second one's events would come back `duplicate` and be lost. Thread-safe: a run's counter is an
``itertools.count`` (one step is atomic) and runs are started under the lock.
"""

from __future__ import annotations

import itertools
import os
import random
import threading
import time
from collections.abc import Callable

_rng = random.Random()
_getrandbits = _rng.getrandbits
_BYTES = tuple(f"{i:02x}" for i in range(256))
#: The run ids come from: (millisecond, the 66 bits above the counted byte, the id's text up to its last two hex
#: digits, the run's counter).
_Run = tuple[int, int, str, Callable[[], int]]
_NO_RUN: _Run = (-1, 0, "", itertools.count(256).__next__)
_run = _NO_RUN
_lock = threading.Lock()


def uuid7(ms: int | None = None) -> str:
    if ms is None:
        ms = time.time_ns() // 1_000_000
    run = _run
    if run[0] == ms:
        n = run[3]()
        if n < 256:
            return run[2] + _BYTES[n]
    return _next_run(ms)


def _next_run(ms: int) -> str:
    with _lock:
        while True:
            run = _run
            if run[0] != ms:
                run = _start(ms, _getrandbits(65))  # the 66 bits above the counted byte, the top one clear
            n = run[3]()
            if n < 256:
                return run[2] + _BYTES[n]
            run = _start(ms, run[1] + 1)  # this millisecond's run is used up: the next one


def _start(ms: int, high: int) -> _Run:
    """A run of 256 ids: ``high`` is rand_a (12 bits) and rand_b but its last 8 (the variant takes 2 of 64)."""
    global _run
    # time_high-time_low-7 rand_a-variant 10 + 14 bits-40 bits, then the counted byte.
    head = "%08x-%04x-7%03x-%04x-%010x" % (  # noqa: UP031 - the fastest way in CPython
        (ms >> 16) & 0xFFFFFFFF,
        ms & 0xFFFF,
        high >> 54,
        0x8000 | (high >> 40) & 0x3FFF,
        high & 0xFF_FFFF_FFFF,
    )
    _run = run = (ms, high, head, itertools.count().__next__)
    return run


def _after_fork() -> None:
    global _run, _lock
    _rng.seed()
    _run = _NO_RUN
    _lock = threading.Lock()  # another thread of the parent may have held it


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork)


def uuid7_time(uuid: str) -> int:
    """The Unix milliseconds a UUIDv7 carries."""
    return int(uuid[:8] + uuid[9:13], 16)
