import { Injectable } from '@nestjs/common';
import { CustomersRepository } from '@tollgate/db';
import { formatAmount } from '@tollgate/money';
import { NotFoundError } from '../errors';
import { CreditPositions } from './credit-positions';

export interface OngoingBalanceJson {
  currency: string;
  /** The prepaid balance: what the customer's usable grants have left. */
  balance: string;
  /** The balance minus what the current period (and drafts not finalized) owe so far. */
  ongoing_balance: string;
  prepaid: boolean;
}

/** A customer's prepaid and ongoing balance (for the portal; the same figures as GET …/credits). */
@Injectable()
export class GetOngoingBalance {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly positions: CreditPositions,
  ) {}

  async execute({ organizationId, externalId }: { organizationId: string; externalId: string }): Promise<OngoingBalanceJson> {
    const customer = await this.customers.find(organizationId, externalId);
    if (customer === null) throw new NotFoundError(`customer "${externalId}" not found`);
    const p = (await this.positions.of([customer.id])).positions[0];
    if (p === undefined) throw new NotFoundError(`the plan "${customer.plan_code}" of customer "${externalId}" has no version in force`);
    return {
      currency: p.currency,
      balance: formatAmount(p.balance, p.currency),
      ongoing_balance: formatAmount(p.ongoingBalance, p.currency),
      prepaid: p.prepaid,
    };
  }
}
