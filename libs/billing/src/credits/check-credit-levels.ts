import { Injectable, Logger } from '@nestjs/common';
import { CreditsRepository, InvoicesRepository, Transactions, type WalletRow } from '@tollgate/db';
import { Decimal, formatAmount } from '@tollgate/money';
import { Clock } from '../clock';
import { PublishWebhookEvent, type PublishedEvent } from '../webhooks/publish-webhook-event';
import { CreditGrants, type Granted } from './credit-grants';
import { levelChanges, type LevelState } from './credit-levels';
import { CreditPositions, type CreditPosition } from './credit-positions';

const DAY = 86_400_000;

function stateOf(w: WalletRow, prepaid: boolean): LevelState {
  const below = w.top_up_below === null ? null : new Decimal(w.top_up_below);
  return { below, lowArmed: w.low_armed, exhaustedArmed: w.exhausted_armed, usesCredit: prepaid || w.has_grants || below !== null };
}

/**
 * Top-up rules and the credit alerts (docs/design.md "Credits"). Given fresh positions, the customers whose wallet
 * crossed a level (or is back above one) are settled one at a time: the customer's and wallet's rows locked, the
 * position computed again under the lock, then a crossing tops up (grants or sells the rule's amount) and publishes
 * `credits.balance_low` or `credits.exhausted` for that crossing, and disarms; being back above re-arms. Two workers
 * seeing one crossing at once make one top-up and one event: the second finds the wallet disarmed.
 */
@Injectable()
export class CheckCreditLevels {
  private readonly logger = new Logger('credits');

  constructor(
    private readonly transactions: Transactions,
    private readonly credits: CreditsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly positions: CreditPositions,
    private readonly grants: CreditGrants,
    private readonly webhooks: PublishWebhookEvent,
    private readonly clock: Clock,
  ) {}

  /** Looks at positions just computed; returns how many customers' levels changed. */
  async execute(positions: readonly CreditPosition[]): Promise<{ settled: number }> {
    if (positions.length === 0) return { settled: 0 };
    const wallets = await this.credits.wallets(
      this.credits.reader,
      positions.map((p) => p.customerId),
    );
    const due = positions.filter((p) => {
      const w = wallets.get(p.customerId);
      if (w === undefined) return false;
      const c = levelChanges(stateOf(w, p.prepaid), p.ongoingBalance);
      return c.low !== null || c.exhausted !== null;
    });
    let settled = 0;
    for (const p of due) if (await this.settle(p.customerId)) settled++;
    return { settled };
  }

  /** One customer's crossings, under its locks. True when something changed. */
  private async settle(customerId: string): Promise<boolean> {
    const now = this.clock.now();
    const outcome = await this.transactions.run(async (tx) => {
      const customer = await this.invoices.lockCustomerById(tx, customerId);
      const wallet = await this.credits.lockWallet(tx, customerId);
      if (customer === null || wallet === null) return null;
      const [position] = (await this.positions.of([customerId], tx)).positions;
      if (position === undefined) return null;
      const state = stateOf(wallet, position.prepaid);
      const change = levelChanges(state, position.ongoingBalance);
      if (change.low === null && change.exhausted === null) return null;
      const arms = {
        low_armed: wallet.low_armed,
        low_crossings: wallet.low_crossings,
        exhausted_armed: wallet.exhausted_armed,
        exhausted_crossings: wallet.exhausted_crossings,
      };
      const published: PublishedEvent[] = [];
      const granted: Granted[] = [];
      const data = {
        customer_id: customerId,
        external_customer_id: position.externalId,
        currency: position.currency,
        balance: formatAmount(position.balance, position.currency),
        ongoing_balance: formatAmount(position.ongoingBalance, position.currency),
      };
      if (change.low === 'cross') {
        arms.low_armed = false;
        arms.low_crossings += 1;
        let topUp: Granted | null = null;
        if (wallet.top_up_amount !== null && wallet.top_up_kind !== null) {
          topUp = await this.grants.grant(
            tx,
            {
              organizationId: customer.organization_id,
              customer,
              kind: wallet.top_up_kind,
              amount: new Decimal(wallet.top_up_amount),
              priority: wallet.top_up_priority ?? 0,
              expiresAt: wallet.top_up_expires_in_days === null ? null : new Date(now.getTime() + wallet.top_up_expires_in_days * DAY),
              paid: false,
              source: 'top_up',
            },
            now,
          );
          granted.push(topUp);
        }
        published.push(
          await this.webhooks.publish(tx, {
            organizationId: customer.organization_id,
            type: 'credits.balance_low',
            subjectKey: `customer:${customerId}:balance_low:${arms.low_crossings}`,
            payload: {
              ...data,
              threshold: new Decimal(wallet.top_up_below!).toFixed(),
              crossing: arms.low_crossings,
              top_up:
                topUp === null
                  ? null
                  : {
                      kind: topUp.grant.kind,
                      amount: formatAmount(new Decimal(topUp.grant.amount), position.currency),
                      grant_id: topUp.grant.id,
                      invoice_id: topUp.invoiceId,
                      status: topUp.grant.status,
                    },
            },
          }),
        );
      } else if (change.low === 'rearm') arms.low_armed = true;
      if (change.exhausted === 'cross') {
        arms.exhausted_armed = false;
        arms.exhausted_crossings += 1;
        published.push(
          await this.webhooks.publish(tx, {
            organizationId: customer.organization_id,
            type: 'credits.exhausted',
            subjectKey: `customer:${customerId}:exhausted:${arms.exhausted_crossings}`,
            payload: { ...data, crossing: arms.exhausted_crossings, prepaid: position.prepaid },
          }),
        );
      } else if (change.exhausted === 'rearm') arms.exhausted_armed = true;
      await this.credits.setArms(tx, customerId, arms);
      return { published, granted };
    });
    if (outcome === null) return false;
    await this.grants.afterCommit(outcome.granted);
    await this.webhooks.dispatch(...outcome.published);
    if (outcome.granted.length > 0) this.logger.log({ msg: 'credit top-up', customer: customerId, grant: outcome.granted[0].grant.id });
    return true;
  }
}
