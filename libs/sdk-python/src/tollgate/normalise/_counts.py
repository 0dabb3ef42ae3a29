"""Reading provider usage, whatever it arrives as: a JSON dict, or the provider SDK's model object."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class NormalisedUsage:
    #: Tollgate's dimensions, only the non-zero ones (an absent dimension is 0).
    usage: dict[str, int] = field(default_factory=dict)
    #: Cost the provider reported (OpenRouter ``usage.cost``), USD, as a decimal string.
    cost: str | None = None
    #: "usage_unknown" when no usage could be read: the call is sent flagged, never as a call that cost nothing.
    status: str | None = None


UNKNOWN = NormalisedUsage(status="usage_unknown")


def is_object(value: Any) -> bool:
    """A JSON object or a model object, not a scalar, string or list."""
    return value is not None and not isinstance(value, (str, bytes, int, float, list, tuple))


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` of a mapping or ``obj.key`` of a model object; None for anything else (a list, a string)."""
    if not is_object(obj):
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def get_either(obj: Any, camel: str, snake: str) -> Any:
    """A field some clients spell in camelCase (the wire) and others in snake_case (Python SDK models)."""
    value = get(obj, camel)
    return get(obj, snake) if value is None else value


def count(value: Any) -> int:
    """A provider count as a non-negative integer; None, absent or malformed counts (strings too) are 0."""
    if type(value) is int:
        return value if value > 0 else 0
    if type(value) is float and math.isfinite(value) and value > 0:
        return int(value)
    return 0


def minus(total: int, *parts: int) -> int:
    """A part taken out of the total that includes it; clamped at 0 (a provider reporting a part larger than
    its total would otherwise make a negative count the API rejects)."""
    rest = total - sum(parts)
    return rest if rest > 0 else 0


def decimal_string(value: Any) -> str | None:
    """A provider's reported cost (a JSON number, USD) as a plain decimal string: the digits the provider
    sent (repr is the shortest text that reads back as the same float), never exponent notation, no trailing
    fractional zeros: 0.95 -> "0.95", 1.5e-7 -> "0.00000015", 19.0 -> "19"."""
    if type(value) is int:
        return str(value) if value >= 0 else None
    if type(value) is not float or not math.isfinite(value) or value < 0:
        return None
    return format(Decimal(repr(value)).normalize(), "f")


def normalised(dimensions: dict[str, int], cost: str | None = None) -> NormalisedUsage:
    """A usage with no positive token count and no reported cost was not read (absent, renamed, or all zeros
    from a client that fills in defaults): it is usage_unknown, never a call that cost nothing. No real model
    call consumes zero tokens; a count of searches or images alone does not make it known."""
    usage = {key: n for key, n in dimensions.items() if n > 0}
    if cost is not None:
        return NormalisedUsage(usage, cost)
    if any(key.endswith("_tokens") for key in usage):
        return NormalisedUsage(usage)
    return UNKNOWN
