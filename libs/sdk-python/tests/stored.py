from __future__ import annotations

from tollgate import USAGE_DIMENSIONS


def stored_usage(**usage: int) -> dict[str, int]:
    """A usage as the api lists it: every dimension, absent ones 0, ``requests`` 1 unless given."""
    return {d: usage.get(d, 1 if d == "requests" else 0) for d in USAGE_DIMENSIONS}
