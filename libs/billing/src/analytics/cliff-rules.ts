import { Decimal, ONE, ZERO } from '@tollgate/money';
import { USAGE_DIMENSIONS, type UsageDimension } from '@tollgate/pricing';

// The margin-cliff report's rules (docs/design.md "Analytics"): what drives a customer's margin down, and the
// policy that would reach the target. Pure.

/** A period's usage of one model, as the drivers read it. */
export interface ModelUsage {
  model: string;
  providerCost: Decimal;
  retryProviderCost: Decimal;
  tokens: Record<UsageDimension, bigint>;
}

export interface Driver {
  kind: 'model_mix' | 'output_share' | 'cache_hit_rate' | 'retries';
  /** model_mix: the model whose share of the cost grew most. */
  model?: string;
  /** Ratios (0..1, 4 places) in the period before and in this one; before is null without a period before. */
  before: string | null;
  now: string;
  /** It moved the way that lowers the margin (a premium model's share, output or retries up; cache hits down). */
  worsened: boolean;
}

const ratio = (a: Decimal, b: Decimal) => (b.isZero() ? ZERO : a.div(b));
const fixed = (d: Decimal) => d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toFixed(4);
const big = (n: bigint) => new Decimal(n.toString());

const sumTokens = (usage: readonly ModelUsage[], dims: readonly UsageDimension[]) =>
  usage.reduce((s, u) => s + dims.reduce((t, d) => t + u.tokens[d], 0n), 0n);

const TOKEN_DIMENSIONS = USAGE_DIMENSIONS.filter((d) => d.endsWith('_tokens'));
const PROMPT: readonly UsageDimension[] = ['input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'cache_write_1h_tokens'];

function shares(usage: readonly ModelUsage[]) {
  const cost = usage.reduce((s, u) => s.plus(u.providerCost), ZERO);
  const byModel = new Map<string, Decimal>();
  for (const u of usage) byModel.set(u.model, (byModel.get(u.model) ?? ZERO).plus(u.providerCost));
  return {
    cost,
    model: new Map([...byModel].map(([m, c]) => [m, ratio(c, cost)])),
    output: ratio(big(sumTokens(usage, ['output_tokens', 'reasoning_tokens'])), big(sumTokens(usage, TOKEN_DIMENSIONS))),
    cacheHit: ratio(big(sumTokens(usage, ['cache_read_tokens'])), big(sumTokens(usage, PROMPT))),
    retries: ratio(
      usage.reduce((s, u) => s.plus(u.retryProviderCost), ZERO),
      cost,
    ),
  };
}

/** The four drivers of a period's margin, against the period before it when there is one. */
export function marginDrivers(now: readonly ModelUsage[], before: readonly ModelUsage[] | null): Driver[] {
  const n = shares(now);
  const b = before && before.length > 0 ? shares(before) : null;
  let mix: { model: string; grew: Decimal; now: Decimal; before: Decimal } | null = null;
  for (const [model, share] of n.model) {
    const was = b?.model.get(model) ?? ZERO;
    const grew = share.minus(was);
    if (mix === null || grew.gt(mix.grew) || (grew.eq(mix.grew) && share.gt(mix.now))) mix = { model, grew, now: share, before: was };
  }
  const drivers: Driver[] = [];
  if (mix)
    drivers.push({
      kind: 'model_mix',
      model: mix.model,
      before: b ? fixed(mix.before) : null,
      now: fixed(mix.now),
      worsened: b !== null && mix.grew.gt(0),
    });
  drivers.push({
    kind: 'output_share',
    before: b ? fixed(b.output) : null,
    now: fixed(n.output),
    worsened: b !== null && n.output.gt(b.output),
  });
  drivers.push({
    kind: 'cache_hit_rate',
    before: b ? fixed(b.cacheHit) : null,
    now: fixed(n.cacheHit),
    worsened: b !== null && n.cacheHit.lt(b.cacheHit),
  });
  drivers.push({
    kind: 'retries',
    before: b ? fixed(b.retries) : null,
    now: fixed(n.retries),
    worsened: b !== null && n.retries.gt(b.retries),
  });
  return drivers;
}

export interface MarginFix {
  /** The revenue at which the margin is the target: cost / (1 − target). */
  revenueNeeded: Decimal;
  /** A margin floor equal to the target: no usage line below cost / (1 − target). */
  marginFloor: Decimal;
  /** The price-mode markup that reaches the target after the customer's discount (before fees, allowance, coupons), 4 places up. */
  markup: Decimal | null;
}

/** The policy change that would bring a period at `cost` to the `target` margin. */
export function marginFix(cost: Decimal, target: Decimal, discount: Decimal): MarginFix {
  const keep = ONE.minus(target);
  const paid = ONE.minus(discount);
  return {
    revenueNeeded: cost.div(keep),
    marginFloor: target,
    markup: paid.isZero() ? null : ONE.div(keep.times(paid)).minus(ONE).toDecimalPlaces(4, Decimal.ROUND_UP),
  };
}

/** Below target: a margin under it, or revenue of nothing for a cost. */
export function belowTarget(revenue: Decimal, cost: Decimal, target: Decimal): boolean {
  if (revenue.lte(0)) return cost.gt(0);
  return revenue.minus(cost).div(revenue).lt(target);
}
