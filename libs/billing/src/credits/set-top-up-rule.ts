import { Injectable } from '@nestjs/common';
import { CreditsRepository, Transactions, type GrantKind } from '@tollgate/db';
import { currencyExponent, Decimal, writtenDecimalPlaces } from '@tollgate/money';
import { Clock } from '../clock';
import { InvalidCommandError, NotFoundError } from '../errors';
import { CreditGrants } from './credit-grants';
import { topUpJson, type TopUpJson } from './credit-view';
import { RefreshEntitlements } from './refresh-entitlements';

export interface SetTopUpRuleCommand {
  organizationId: string;
  externalId: string;
  /** null removes the rule. */
  rule: { below: string; amount: string; kind: GrantKind; priority?: number; expiresInDays?: number | null } | null;
}

/**
 * PUT /v1/customers/{id}/credits/top_up (and DELETE: `rule` null): when the customer's ongoing balance falls under
 * `below`, grant or sell `amount` (once per crossing: docs/design.md "Credits"). Setting it arms it; the customer's
 * position is then checked at once (a balance already under the amount tops up now).
 */
@Injectable()
export class SetTopUpRule {
  constructor(
    private readonly transactions: Transactions,
    private readonly credits: CreditsRepository,
    private readonly grants: CreditGrants,
    private readonly refresh: RefreshEntitlements,
    private readonly clock: Clock,
  ) {}

  async execute(c: SetTopUpRuleCommand): Promise<{ external_customer_id: string; top_up: TopUpJson | null }> {
    const customerId = await this.transactions.run(async (tx) => {
      const customer = await this.credits.lockCustomer(tx, c.organizationId, c.externalId);
      if (customer === null) throw new NotFoundError(`customer "${c.externalId}" not found`);
      if (c.rule !== null) {
        const full = (await this.credits.positionCustomers(tx, [customer.id]))[0];
        const currency = await this.grants.currency(tx, c.organizationId, full, this.clock.now());
        for (const field of ['below', 'amount'] as const) {
          const v = new Decimal(c.rule[field]);
          if (field === 'amount' ? !v.gt(0) : v.lt(0))
            throw new InvalidCommandError(`${field} must be ${field === 'amount' ? 'above' : 'at least'} 0`, [
              { field, message: field === 'amount' ? 'must be above 0' : 'must be at least 0' },
            ]);
          if (writtenDecimalPlaces(c.rule[field]) > currencyExponent(currency))
            throw new InvalidCommandError(`${field} is finer than the minor unit of ${currency}`, [
              { field, message: `at most ${currencyExponent(currency)} decimal places in ${currency}` },
            ]);
        }
      }
      await this.credits.ensureWallets(tx, [customer.id]);
      await this.credits.setTopUp(
        tx,
        customer.id,
        c.rule === null
          ? null
          : {
              below: new Decimal(c.rule.below).toFixed(),
              amount: new Decimal(c.rule.amount).toFixed(),
              kind: c.rule.kind,
              priority: c.rule.priority ?? 0,
              expires_in_days: c.rule.expiresInDays ?? null,
            },
      );
      return customer.id;
    });
    await this.refresh.execute([customerId]);
    const wallet = (await this.credits.wallets(this.credits.reader, [customerId])).get(customerId);
    return { external_customer_id: c.externalId, top_up: topUpJson(wallet) };
  }
}
