// The disjoint usage dimensions of docs/design.md ("Usage dimensions"): each token is counted in exactly one.

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

/** Token counts per dimension. Integers (bigint): a count never passes through a float. */
export type Usage = Record<UsageDimension, bigint>;

/** Dimensions counted in units (not tokens): priced per unit, never per million. */
export const COUNT_DIMENSIONS: readonly UsageDimension[] = ['images', 'web_searches', 'requests'];

/** Input-side dimensions: their sum is a request's prompt size, which selects a price tier. */
export const PROMPT_DIMENSIONS: readonly UsageDimension[] = [
  'input_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'cache_write_1h_tokens',
  'audio_input_tokens',
];

/**
 * Where a dimension's price comes from when the rate card (or a token-mode plan) gives none, in order.
 * An empty chain means the price is 0; `input_tokens` and `output_tokens` are required.
 */
export const PRICE_FALLBACKS: Readonly<Record<UsageDimension, readonly UsageDimension[]>> = {
  input_tokens: [],
  cache_read_tokens: ['input_tokens'],
  cache_write_tokens: ['input_tokens'],
  cache_write_1h_tokens: ['cache_write_tokens', 'input_tokens'],
  output_tokens: [],
  reasoning_tokens: ['output_tokens'],
  audio_input_tokens: ['input_tokens'],
  audio_output_tokens: ['output_tokens'],
  images: [],
  web_searches: [],
  requests: [],
};

export function isUsageDimension(key: string): key is UsageDimension {
  return (USAGE_DIMENSIONS as readonly string[]).includes(key);
}

export function emptyUsage(): Usage {
  return {
    input_tokens: 0n,
    cache_read_tokens: 0n,
    cache_write_tokens: 0n,
    cache_write_1h_tokens: 0n,
    output_tokens: 0n,
    reasoning_tokens: 0n,
    audio_input_tokens: 0n,
    audio_output_tokens: 0n,
    images: 0n,
    web_searches: 0n,
    requests: 0n,
  };
}
