import { Injectable } from '@nestjs/common';
import { CreditsRepository, CustomersRepository } from '@tollgate/db';
import { formatAmount } from '@tollgate/money';
import { Clock } from '../clock';
import { NotFoundError } from '../errors';
import { CreditPositions } from './credit-positions';
import { grantJson, ledgerJson, topUpJson, type GrantJson, type LedgerJson, type TopUpJson } from './credit-view';

export interface GetCreditBalanceQuery {
  organizationId: string;
  externalId: string;
  /** The ledger page after this entry id. */
  after: bigint | null;
  limit: number;
}

export interface CreditBalanceJson {
  external_customer_id: string;
  currency: string;
  balance: string;
  ongoing_balance: string;
  grants: GrantJson[];
  top_up: TopUpJson | null;
  ledger: LedgerJson[];
  /** The id of the last ledger entry of the page, when there is more. */
  nextAfter: string | null;
}

/**
 * GET /v1/customers/{id}/credits: the wallet's balance, the ongoing balance (after the current period's usage so
 * far: the preview's computation), the grants that are pending or have something left (in the order they are
 * used), the top-up rule, and a page of the ledger, oldest first.
 */
@Injectable()
export class GetCreditBalance {
  constructor(
    private readonly customers: CustomersRepository,
    private readonly credits: CreditsRepository,
    private readonly positions: CreditPositions,
    private readonly clock: Clock,
  ) {}

  async execute(q: GetCreditBalanceQuery): Promise<CreditBalanceJson> {
    const customer = await this.customers.find(q.organizationId, q.externalId);
    if (customer === null) throw new NotFoundError(`customer "${q.externalId}" not found`);
    const { positions } = await this.positions.of([customer.id]);
    const p = positions[0];
    if (p === undefined) throw new NotFoundError(`the plan "${customer.plan_code}" of customer "${q.externalId}" has no version in force`);
    const now = this.clock.now();
    const grants = await this.credits.walletGrants(this.credits.reader, customer.id);
    const wallet = (await this.credits.wallets(this.credits.reader, [customer.id])).get(customer.id);
    const page = await this.credits.ledger(this.credits.reader, customer.id, q.after, q.limit + 1);
    const more = page.length > q.limit;
    const ledger = page.slice(0, q.limit);
    return {
      external_customer_id: q.externalId,
      currency: p.currency,
      balance: formatAmount(p.balance, p.currency),
      ongoing_balance: formatAmount(p.ongoingBalance, p.currency),
      grants: grants.map((g) => grantJson(g, now)).filter((g) => g.status !== 'expired'),
      top_up: topUpJson(wallet),
      ledger: ledger.map((l) => ledgerJson(l, p.currency)),
      nextAfter: more ? ledger[ledger.length - 1].id : null,
    };
  }
}
