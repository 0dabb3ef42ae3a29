// The disjoint usage dimensions of Tollgate (DESIGN.md "Usage dimensions"): each token is counted in
// exactly one. Kept here rather than imported from @tollgate/pricing: the SDK is published on its own.

export const USAGE_DIMENSIONS = [
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'output_tokens',
  'reasoning_tokens',
  'audio_input_tokens',
  'audio_output_tokens',
  'images',
  'web_searches',
  'requests',
] as const;

export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/**
 * Counts per dimension as sent on the wire: non-negative integers (JSON numbers; the API caps each at
 * 10^12, well inside a double's exact range). An absent dimension is 0; absent `requests` is 1.
 */
export type Usage = Partial<Record<UsageDimension, number>>;
