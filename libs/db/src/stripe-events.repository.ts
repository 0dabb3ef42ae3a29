import { Inject, Injectable } from '@nestjs/common';
import type { PrismaClient } from './generated/prisma/client';
import type { Tx } from './database';
import { PRISMA } from './tokens';

// Stripe webhook events received, by Stripe's event id (POST /v1/webhooks/stripe), and the invoice an event is
// about. Prisma: plain rows and lookups.

export type StripeEventOutcome = 'applied' | 'unchanged' | 'ignored';

export interface StripeEventRecord {
  id: string;
  type: string;
  stripe_invoice_id: string | null;
  invoice_id: string | null;
  outcome: StripeEventOutcome;
  created_at: Date;
}

/** Our invoice as a Stripe event finds it. */
export interface StripeEventInvoiceRow {
  id: string;
  organization_id: string;
  status: string;
  stripe_invoice_id: string | null;
  stripe_status: string | null;
}

@Injectable()
export class StripeEventsRepository {
  constructor(@Inject(PRISMA) private readonly prisma: PrismaClient) {}

  async find(id: string): Promise<StripeEventRecord | null> {
    const row = await this.prisma.stripe_events.findUnique({ where: { id } });
    return row && { ...row, outcome: row.outcome as StripeEventOutcome };
  }

  /** Records the event once: false when it was recorded already (a redelivery that raced this one). */
  async record(event: StripeEventRecord, tx: Tx = this.prisma): Promise<boolean> {
    const { count } = await tx.stripe_events.createMany({ data: [event], skipDuplicates: true });
    return count === 1;
  }

  /**
   * The invoice Stripe's invoice belongs to: the one that stored its id, else the one its metadata names (a push
   * that created it and died before storing the id). Never one that stored another Stripe invoice.
   */
  async invoiceFor(stripeInvoiceId: string, tollgateInvoiceId: string | null): Promise<StripeEventInvoiceRow | null> {
    const select = { id: true, organization_id: true, status: true, stripe_invoice_id: true, stripe_status: true } as const;
    const stored = await this.prisma.invoices.findUnique({ where: { stripe_invoice_id: stripeInvoiceId }, select });
    if (stored) return stored;
    if (tollgateInvoiceId === null) return null;
    const named = await this.prisma.invoices.findUnique({ where: { id: tollgateInvoiceId }, select });
    return named && named.stripe_invoice_id === null ? named : null;
  }
}
