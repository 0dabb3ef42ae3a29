import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions, type GrantKind } from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { Clock } from '../clock';
import { InvalidCommandError, NotFoundError } from '../errors';
import { CreditGrants } from './credit-grants';
import { grantJson, type GrantJson } from './credit-view';
import { RefreshEntitlements } from './refresh-entitlements';

export interface CreateCreditGrantCommand {
  organizationId: string;
  externalId: string;
  kind: GrantKind;
  /** Decimal text, in the currency of the customer's plan, no finer than its minor unit. */
  amount: string;
  /** Lower first; default 0. */
  priority?: number;
  expiresAt?: Date | null;
  /** purchased only: paid already (collected elsewhere), usable at once. */
  paid?: boolean;
}

/**
 * POST /v1/customers/{id}/credits (docs/design.md "Credits"): a grant, usable at once (`granted`, or `purchased` with
 * `paid`), or sold on its own credit_purchase invoice and usable once that is paid. Then the customer's position is
 * refreshed (its cached entitlement, its alerts re-armed).
 */
@Injectable()
export class CreateCreditGrant {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly grants: CreditGrants,
    private readonly refresh: RefreshEntitlements,
    private readonly clock: Clock,
  ) {}

  async execute(c: CreateCreditGrantCommand): Promise<GrantJson> {
    if (c.paid !== undefined && c.kind !== 'purchased')
      throw new InvalidCommandError('paid is for purchased credits only', [{ field: 'paid', message: 'only with kind "purchased"' }]);
    const now = this.clock.now();
    const granted = await this.transactions.run(async (tx) => {
      const customer = await this.invoices.lockCustomer(tx, c.organizationId, c.externalId);
      if (customer === null) throw new NotFoundError(`customer "${c.externalId}" not found`);
      return this.grants.grant(
        tx,
        {
          organizationId: c.organizationId,
          customer,
          kind: c.kind,
          amount: new Decimal(c.amount),
          priority: c.priority ?? 0,
          expiresAt: c.expiresAt ?? null,
          paid: c.paid ?? false,
          source: 'api',
        },
        now,
      );
    });
    await this.grants.afterCommit([granted]);
    await this.refresh.execute([granted.grant.customer_id]);
    return grantJson(granted.grant, now);
  }
}
