import type Decimal from 'decimal.js';
import { COUNT_DIMENSIONS, USAGE_DIMENSIONS, type Usage } from '../dimensions';
import { exact } from './exact';
import type { PriceSheet, PriceTier } from './price-sheet';
import { promptSize } from './prompt-size';
import { IncompletePriceSheetError } from './provider-cost';
import { selectTier } from './select-tier';
import { unitPrice } from './unit-price';

/**
 * The prices in force (base or a tier's), after the fallback chains, as integers at one scale: price × 10^scale
 * for each dimension in USAGE_DIMENSIONS order (null: no price on the chain).
 */
interface ScaledPrices {
  readonly scale: number;
  readonly units: readonly (bigint | null)[];
}

const IS_COUNT = USAGE_DIMENSIONS.map((d) => COUNT_DIMENSIONS.includes(d));
/** Sheets are immutable (rate card versions): their scaled prices are computed once per sheet and tier. */
const compiled = new WeakMap<PriceSheet, Map<PriceTier | null, ScaledPrices>>();

function scaled(sheet: PriceSheet, tier: PriceTier | null): ScaledPrices {
  let byTier = compiled.get(sheet);
  if (byTier === undefined) compiled.set(sheet, (byTier = new Map<PriceTier | null, ScaledPrices>()));
  let out = byTier.get(tier);
  if (out === undefined) {
    const prices = tier === null ? sheet.prices : { ...sheet.prices, ...tier.prices };
    const chosen = USAGE_DIMENSIONS.map((d) => unitPrice(prices, d).price);
    const scale = Math.max(0, ...chosen.map((p) => (p === null ? 0 : p.decimalPlaces())));
    const units = chosen.map((p) => (p === null ? null : BigInt(p.times(exact(10).pow(scale)).toFixed(0))));
    byTier.set(tier, (out = { scale, units }));
  }
  return out;
}

/**
 * An event's provider cost, exactly `providerCost(usage, sheet).total` (the same tier rule, fallbacks and
 * errors), without the per-dimension lines: Σ quantity × price in integers at the sheet's scale, then one
 * decimal. Pricing's hot path: about ten times cheaper than summing decimals (docs/performance.md).
 */
export function providerCostTotal(usage: Usage, sheet: PriceSheet): Decimal {
  const { scale, units } = scaled(sheet, selectTier(sheet.tiers, promptSize(usage)));
  let total = 0n;
  for (let d = 0; d < USAGE_DIMENSIONS.length; d++) {
    const quantity = usage[USAGE_DIMENSIONS[d]];
    if (quantity === 0n) continue;
    const unit = units[d];
    if (unit === null) {
      if (!IS_COUNT[d]) throw new IncompletePriceSheetError(USAGE_DIMENSIONS[d]);
      continue;
    }
    total += quantity * unit;
  }
  return fromScaled(total, scale);
}

/** n / 10^scale as an exact decimal (n >= 0: counts and prices are never negative). */
function fromScaled(n: bigint, scale: number): Decimal {
  if (scale === 0) return exact(n.toString());
  const digits = n.toString().padStart(scale + 1, '0');
  return exact(`${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`);
}
