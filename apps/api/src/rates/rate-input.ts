import { fromApiPrice } from '@tollgate/rates';
import type { UsageDimension } from '@tollgate/pricing';
import type { z } from 'zod';
import type { AliasRequest, OverrideRequest } from './rate.schema';

// Rate requests (checked by rate.schema.ts) as the rates library takes them: prices per token.

export interface OverrideInput {
  provider: string;
  model: string;
  prices: Record<string, string>;
  tiers: { min_prompt_tokens: number; prices: Record<string, string> }[];
  effectiveFrom: Date;
}

/** Prices per million as sent -> per token. */
function perToken(prices: Partial<Record<UsageDimension, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [dimension, price] of Object.entries(prices))
    if (price !== undefined) out[dimension] = fromApiPrice(dimension as UsageDimension, price);
  return out;
}

/** `POST /v1/rates/overrides` body: tiers in threshold order, effective now unless it says when. */
export function readOverride(body: z.output<typeof OverrideRequest>): OverrideInput {
  return {
    provider: body.provider,
    model: body.model,
    prices: perToken(body.prices),
    tiers: (body.tiers ?? [])
      .map((t) => ({ min_prompt_tokens: t.min_prompt_tokens, prices: perToken(t.prices) }))
      .sort((a, b) => a.min_prompt_tokens - b.min_prompt_tokens),
    effectiveFrom: body.effective_from ?? new Date(),
  };
}

/** `PUT /v1/rates/aliases/{alias}`: aliases are case-insensitive, so stored in lower case. */
export function readAliasTarget(alias: string, body: z.output<typeof AliasRequest>): { alias: string; provider: string; model: string } {
  return { alias: alias.toLowerCase(), provider: body.provider, model: body.model };
}
