import { Injectable } from '@nestjs/common';
import { AnalyticsRepository, type PriceChangeListRow } from '@tollgate/db';
import { Decimal } from '@tollgate/money';

export interface ListPriceChangesQuery {
  organizationId: string;
  /** The seq of the last change of the previous page. */
  before: bigint | null;
  limit: number;
}

/** Prices as the API shows them: per million tokens (per unit for counts), as the rates endpoints do. */
const COUNTS = new Set(['images', 'web_searches', 'requests']);
const perMillion = (prices: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(prices).map(([d, v]) => [d, COUNTS.has(d) ? new Decimal(v).toFixed() : new Decimal(v).times(1_000_000).toFixed()]),
  );

function priceChangeJson(r: PriceChangeListRow) {
  return {
    id: r.id,
    provider: r.provider,
    model: r.model,
    rate_card_version_id: r.rate_card_version_id,
    previous_version_id: r.previous_version_id,
    effective_from: r.effective_from.toISOString(),
    prices_before: perMillion(r.prices_before),
    prices_after: perMillion(r.prices_after),
    cost_change: new Decimal(r.cost_change).toFixed(),
    margin_change: new Decimal(r.margin_change).toFixed(),
    customers: r.customers,
    created_at: r.created_at.toISOString(),
  };
}

/** GET /v1/analytics/price_changes: newest first, with each one's impact per customer. */
@Injectable()
export class ListPriceChanges {
  constructor(private readonly analytics: AnalyticsRepository) {}

  async execute({ organizationId, before, limit }: ListPriceChangesQuery) {
    const rows = await this.analytics.listPriceChanges(organizationId, before, limit + 1);
    const page = rows.slice(0, limit);
    return { changes: page.map(priceChangeJson), nextBefore: rows.length > limit ? BigInt(page[page.length - 1].seq) : null };
  }
}
