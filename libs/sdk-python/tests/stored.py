from __future__ import annotations

from typing import Any

from tollgate import USAGE_DIMENSIONS


def stored_usage(**usage: int) -> dict[str, int]:
    """A usage as the api lists it: every dimension, absent ones 0, ``requests`` 1 unless given."""
    return {d: usage.get(d, 1 if d == "requests" else 0) for d in USAGE_DIMENSIONS}


def one(events: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """The one stored event with these fields. The api stores a batch in transaction-id order, and UUIDv7s
    made in the same millisecond are in random order: tests find events by what they are, not by position."""
    found = [e for e in events if all(e.get(k) == v for k, v in fields.items())]
    assert len(found) == 1, f"{len(found)} events with {fields} among {events}"
    return found[0]


def unordered(rows: list[Any]) -> list[str]:
    """Rows compared as a multiset."""
    return sorted(repr(row) for row in rows)
