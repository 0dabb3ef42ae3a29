"""Tollgate's disjoint usage dimensions (docs/design.md "Usage dimensions", docs/api.md "Events"): each token
is counted in exactly one. Kept here rather than shared with the server: the SDK is published on its own."""

USAGE_DIMENSIONS = (
    "input_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "cache_write_1h_tokens",
    "output_tokens",
    "reasoning_tokens",
    "audio_input_tokens",
    "audio_output_tokens",
    "images",
    "web_searches",
    "requests",
)

#: The API rejects a count above this (10^12).
MAX_COUNT = 10**12
