import { Injectable } from '@nestjs/common';
import { RatesRepository, Transactions } from '@tollgate/db';
import { cardToRow, normalizeProvider, RateBook, rateCardFromJson, versionFromRow, type RateVersion } from '@tollgate/rates';
import { RecordPriceChanges } from '../analytics/record-price-changes';
import { ConflictError } from '../errors';
import { Repricer } from '../pricing/repricer';

export interface AddRateOverrideCommand {
  organizationId: string;
  provider: string;
  model: string;
  /** USD per token (per unit for counts), exact decimal strings keyed by usage dimension. */
  prices: Record<string, string>;
  tiers: { min_prompt_tokens: number; prices: Record<string, string> }[];
  effectiveFrom: Date;
}

/**
 * Negotiated prices of one organisation: they win over list prices from effective_from, and the
 * organisation's usage of that model since then is repriced. Versions are immutable: the same prices again
 * at the same effective_from is a replay, other prices a conflict.
 */
@Injectable()
export class AddRateOverride {
  constructor(
    private readonly rates: RatesRepository,
    private readonly book: RateBook,
    private readonly transactions: Transactions,
    private readonly repricer: Repricer,
    private readonly priceChanges: RecordPriceChanges,
  ) {}

  async execute(command: AddRateOverrideCommand): Promise<{ provider: string; model: string; version: RateVersion }> {
    const provider = normalizeProvider(command.provider);
    const card = cardToRow(
      rateCardFromJson({ provider, model: command.model, source: 'override', prices: command.prices, tiers: command.tiers }),
    );
    const { row, created } = await this.rates.addOverride(command.organizationId, card, command.effectiveFrom);
    if (!created && row.content_hash !== card.content_hash) {
      throw new ConflictError(
        'override_exists',
        `an override of ${provider}/${command.model} with other prices is in force from ${command.effectiveFrom.toISOString()}; versions are immutable: choose another effective_from`,
      );
    }
    await this.book.refresh();
    // Also on a replay: the first call may have stored the override and failed before repricing.
    const reopened = await this.transactions.run((tx) =>
      this.repricer.overrideAdded(tx, command.organizationId, provider, command.model, command.effectiveFrom),
    );
    await this.repricer.enqueue(reopened);
    await this.priceChanges.afterPricesChanged();
    return { provider, model: command.model, version: versionFromRow(row) };
  }
}
