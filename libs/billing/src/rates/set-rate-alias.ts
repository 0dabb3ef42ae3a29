import { Injectable } from '@nestjs/common';
import { RateAliasRow, RatesRepository } from '@tollgate/db';
import { RateBook } from '@tollgate/rates';
import { InvalidCommandError } from '../errors';

export interface SetRateAliasCommand {
  organizationId: string;
  /** Lower case. */
  alias: string;
  provider: string;
  model: string;
}

/** Another name for a rate card: the target is resolved now (prefixes, dated ids) and stored as that card. */
@Injectable()
export class SetRateAlias {
  constructor(
    private readonly rates: RatesRepository,
    private readonly book: RateBook,
  ) {}

  async execute({ organizationId, alias, provider, model }: SetRateAliasCommand): Promise<RateAliasRow> {
    const target = this.book.resolveCard(organizationId, provider, model);
    if (!target.ok)
      throw new InvalidCommandError(`the alias's target has no rate card: ${target.reason}`, [{ field: 'model', message: target.reason }]);
    const row = await this.rates.upsertAlias({ organization_id: organizationId, alias, provider: target.provider, model: target.model });
    await this.book.refresh();
    return row;
  }
}
