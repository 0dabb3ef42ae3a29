import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CreditsRepository, InvoicesRepository, type CreditGrantRow, type GrantKind, type Tx } from '@tollgate/db';
import { currencyExponent, formatAmount, writtenDecimalPlaces, type Decimal } from '@tollgate/money';
import { billingPeriod } from '@tollgate/pricing';
import { InvalidCommandError, NotFoundError } from '../errors';
import { invoiceNumber } from '../invoices/invoice-number';
import { periodInterval, PlanBook, versionForPeriod } from '../pricing/plan-book';
import { invoicePayload } from '../stripe/invoice-event-payload';
import { StripePushes } from '../stripe/stripe-pushes';
import { PublishWebhookEvent, type PublishedEvent } from '../webhooks/publish-webhook-event';

/** A grant to make, for a customer whose row the caller's transaction has locked. */
export interface GrantRequest {
  organizationId: string;
  customer: { id: string; plan_code: string; billing_anchor: Date | null };
  kind: GrantKind;
  amount: Decimal;
  priority: number;
  expiresAt: Date | null;
  /** purchased only: the operator collected the payment elsewhere; the grant is usable at once. */
  paid: boolean;
  source: 'api' | 'top_up';
}

export interface Granted {
  grant: CreditGrantRow;
  /** A purchase's credit_purchase invoice. */
  invoiceId: string | null;
  /** To dispatch after the commit. */
  published: PublishedEvent[];
  /** Invoices to hand to the Stripe push after the commit (a purchase not paid already). */
  push: string[];
}

/**
 * Makes grants (docs/design.md "Credits"), in the caller's transaction: `granted` credit is usable at once (its
 * `grant` ledger entry written with it); `purchased` credit is sold on its own invoice (type credit_purchase, one
 * line, finalized and numbered now, pushed to Stripe like any finalized invoice) and stays pending until that
 * invoice is paid, or is usable at once with `paid` (the invoice recorded paid, not pushed).
 */
@Injectable()
export class CreditGrants {
  constructor(
    private readonly credits: CreditsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly plans: PlanBook,
    private readonly webhooks: PublishWebhookEvent,
    private readonly stripe: StripePushes,
  ) {}

  /** After the commit: the purchase invoices' Stripe pushes and the webhook deliveries hurried. */
  async afterCommit(granted: readonly Granted[]): Promise<void> {
    await this.stripe.enqueue(granted.flatMap((g) => g.push));
    await this.webhooks.dispatch(...granted.flatMap((g) => g.published));
  }

  /** The currency of the customer's plan now: credits are in it. */
  async currency(tx: Tx, organizationId: string, customer: GrantRequest['customer'], now: Date): Promise<string> {
    const versions = (await this.plans.forCodes(organizationId, [customer.plan_code], tx)).get(customer.plan_code) ?? [];
    const period = billingPeriod(now, customer.billing_anchor, periodInterval(versions));
    const version = versionForPeriod(versions, period.end.getTime());
    if (version === null) throw new NotFoundError(`the plan "${customer.plan_code}" of the customer has no version in force`);
    return version.plan.currency;
  }

  async grant(tx: Tx, r: GrantRequest, now: Date): Promise<Granted> {
    const currency = await this.currency(tx, r.organizationId, r.customer, now);
    if (!r.amount.gt(0)) throw new InvalidCommandError('amount must be above 0', [{ field: 'amount', message: 'must be above 0' }]);
    if (writtenDecimalPlaces(r.amount.toFixed()) > currencyExponent(currency))
      throw new InvalidCommandError(`amount is finer than the minor unit of ${currency}`, [
        { field: 'amount', message: `at most ${currencyExponent(currency)} decimal places in ${currency}` },
      ]);
    if (r.expiresAt !== null && r.expiresAt.getTime() <= now.getTime())
      throw new InvalidCommandError('expires_at must be in the future', [{ field: 'expires_at', message: 'is not after now' }]);
    await this.credits.ensureWallets(tx, [r.customer.id]);
    await this.credits.touch(tx, [r.customer.id]);
    const base = {
      id: randomUUID(),
      organization_id: r.organizationId,
      customer_id: r.customer.id,
      kind: r.kind,
      currency,
      amount: r.amount.toFixed(),
      priority: r.priority,
      expires_at: r.expiresAt,
      source: r.source,
    };
    if (r.kind === 'granted') {
      const grant = await this.credits.insertGrant(tx, { ...base, status: 'active', invoice_id: null }, now);
      return { grant, invoiceId: null, published: [], push: [] };
    }

    // A purchase: its invoice, numbered in this transaction (gap-free, as every finalization).
    const invoiceId = randomUUID();
    const year = now.getUTCFullYear();
    const prefix = (await this.invoices.prefixes(tx, [r.organizationId])).get(r.organizationId)!;
    const number = invoiceNumber(prefix, year, await this.invoices.takeNumbers(tx, r.organizationId, year, 1));
    await this.invoices.insertCreditPurchase(tx, {
      id: invoiceId,
      organization_id: r.organizationId,
      customer_id: r.customer.id,
      currency,
      plan_code: r.customer.plan_code,
      amount: r.amount.toFixed(),
      number,
      line_id: randomUUID(),
      description: `Prepaid credits: ${formatAmount(r.amount, currency)} ${currency}`,
      paid: r.paid,
      at: now,
    });
    const grant = await this.credits.insertGrant(tx, { ...base, status: r.paid ? 'active' : 'pending', invoice_id: invoiceId }, now);
    // Collected by Stripe like any finalized invoice (when the push is on), unless it was paid elsewhere.
    if (!r.paid) await this.stripe.open(tx, [invoiceId]);
    const invoice = (await this.invoices.find(tx, r.organizationId, invoiceId))!;
    const subject = `invoice:${invoiceId}`;
    const published = [
      await this.webhooks.publish(tx, {
        organizationId: r.organizationId,
        type: 'invoice.finalized',
        subjectKey: subject,
        payload: invoicePayload(invoice, { status: 'finalized', finalized_at: now.toISOString(), grant_id: grant.id }),
      }),
    ];
    if (r.paid) {
      published.push(
        await this.webhooks.publish(tx, {
          organizationId: r.organizationId,
          type: 'invoice.paid',
          subjectKey: subject,
          payload: invoicePayload(invoice, { status: 'paid', paid_at: now.toISOString(), source: 'manual', grant_id: grant.id }),
        }),
      );
    }
    return { grant, invoiceId, published, push: r.paid ? [] : [invoiceId] };
  }
}
