import { z } from 'zod';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import { MAX_TIER_THRESHOLD, PRICE } from '../common/limits';
import { named } from '../common/schema/openapi';
import { array, decimalString, instant, integer, object, optional, text } from '../common/schema/primitives';
import { decimalOut, timestampOut } from '../common/schema/responses';

// Rates: prices in USD per million tokens (per unit for counts), keyed by dimension.

const MAX_TIERS = 20;
// Names are compared as sent: surrounding spaces would make another name, so they are refused, not trimmed.
const name = (description?: string) =>
  text(255, { pattern: /^\S(?:[\s\S]*\S)?$/, patternMessage: 'must not start or end with whitespace', description });

type Dimension = (typeof USAGE_DIMENSIONS)[number];
const price = () => optional(decimalString(PRICE));
const priceFields = () => Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, price()])) as Record<Dimension, ReturnType<typeof price>>;

/** Prices of a card: input_tokens and output_tokens are required, the other dimensions fall back to them. */
export const CardPrices = named(
  'CardPrices',
  object({ ...priceFields(), input_tokens: decimalString(PRICE), output_tokens: decimalString(PRICE) }).meta({
    example: { input_tokens: '3', output_tokens: '15', cache_read_tokens: '0.3' },
  }),
);

/** Prices of a tier: the ones that change from the card's base prices. */
export const TierPrices = object(priceFields()).check((ctx) => {
  if (!Object.values(ctx.value).some((v) => v != null))
    ctx.issues.push({ code: 'custom', message: 'must set at least one price', input: ctx.value });
});

export const OverrideRequest = named(
  'OverrideRequest',
  object({
    provider: name(),
    model: name(),
    prices: CardPrices,
    tiers: optional(
      array(
        object({
          min_prompt_tokens: integer(1, MAX_TIER_THRESHOLD, 'The tier applies from this prompt size (input-side tokens).'),
          prices: TierPrices,
        }),
        0,
        MAX_TIERS,
        'tiers',
      ).check((ctx) => {
        const thresholds = ctx.value.map((t) => t.min_prompt_tokens);
        if (new Set(thresholds).size !== thresholds.length)
          ctx.issues.push({ code: 'custom', message: 'thresholds must differ', input: ctx.value });
      }),
    ),
    effective_from: optional(instant('The override wins over list prices from this instant (default now); usage since then is repriced.')),
  }),
);

export const AliasPath = object({ alias: name('Another name for a rate card; case-insensitive (stored in lower case).') });
export const AliasRequest = named('AliasRequest', object({ provider: name(), model: name() }));
export const RatesQuery = object({ model: name('As an event names it.'), provider: optional(name()) });
export const SyncPath = object({ id: text(255) });

const PriceMap = z
  .record(z.string(), decimalOut())
  .meta({ description: 'USD per million tokens (per unit for counts), by usage dimension.' });

export const RateVersion = named(
  'RateVersion',
  z.strictObject({
    id: z.string(),
    prices: PriceMap,
    tiers: z.array(z.strictObject({ min_prompt_tokens: z.number().int(), prices: PriceMap })),
    source: z.string(),
    effective_from: timestampOut(),
    fetched_at: timestampOut(),
    removed: z.literal(true).optional().meta({ description: 'The source stopped listing the model from effective_from.' }),
  }),
);

export const RateCard = named(
  'RateCard',
  z.strictObject({ provider: z.string(), model: z.string(), current_version_id: z.string().nullable(), versions: z.array(RateVersion) }),
);

export const Override = named('Override', RateVersion.extend({ provider: z.string(), model: z.string() }));
export const Alias = named('Alias', z.strictObject({ alias: z.string(), provider: z.string(), model: z.string() }));

const outcome = z.enum(['applied', 'unchanged', 'held', 'failed']);
export const RateSync = named(
  'RateSync',
  z.strictObject({
    id: z.string(),
    outcome: outcome.meta({ description: 'What the sync found.' }),
    status: z
      .enum(['applied', 'unchanged', 'held', 'failed', 'approved'])
      .meta({ description: 'Where it stands now (a held sync becomes approved).' }),
    sources: z.record(
      z.string(),
      z.strictObject({
        outcome,
        error: z.string().optional(),
        added: z.number().int().optional(),
        changed: z.number().int().optional(),
        removed: z.number().int().optional(),
        unchanged: z.number().int().optional(),
        skipped: z.number().int().optional(),
        reasons: z.array(z.string()).optional(),
        price_moves: z
          .array(z.strictObject({ provider: z.string(), model: z.string(), price: z.string(), before: z.string(), after: z.string() }))
          .optional(),
        versions_written: z.number().int().optional(),
        removal_markers: z.number().int().optional(),
      }),
    ),
    error: z.string().nullable(),
    started_at: timestampOut(),
    finished_at: timestampOut().nullable(),
    approved_at: timestampOut().nullable(),
  }),
);
