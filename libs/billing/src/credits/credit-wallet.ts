import { Injectable } from '@nestjs/common';
import { CreditsRepository, type CreditGrantRow, type InvoiceRow, type Tx } from '@tollgate/db';
import type { CreditConsumption } from '@tollgate/pricing';

/**
 * What invoices do to the wallet, inside the invoice's own transaction (which holds the customer's row lock):
 * finalizing consumes the grants step 8 used, voiding gives them back with reversal entries (never an edit), paying a
 * credit purchase makes its grant usable. Each also bumps the wallet's revision, so cached entitlements go stale.
 */
@Injectable()
export class CreditWallet {
  constructor(private readonly credits: CreditsRepository) {}

  /** Finalized invoices use their grants: one consumption entry per (invoice, grant), guarded. */
  async consume(tx: Tx, finalized: readonly { invoiceId: string; uses: readonly CreditConsumption[] }[], at: Date): Promise<void> {
    await this.credits.consume(
      tx,
      finalized.flatMap((f) => f.uses.map((u) => ({ invoice_id: f.invoiceId, grant_id: u.grant_id, amount: u.amount.toFixed() }))),
      at,
    );
  }

  /** A voided invoice: a usage invoice gives back what it consumed; a credit purchase's grant is canceled if unpaid. */
  async voided(tx: Tx, invoice: InvoiceRow, at: Date): Promise<void> {
    if (invoice.type === 'credit_purchase') await this.credits.cancelPurchase(tx, invoice.id);
    else await this.credits.reverse(tx, invoice.id, at);
    await this.credits.touch(tx, [invoice.customer_id]);
  }

  /** A paid invoice: a credit purchase's grant becomes usable (once: guarded by its status). */
  async paid(tx: Tx, invoice: InvoiceRow, at: Date): Promise<CreditGrantRow | null> {
    if (invoice.type !== 'credit_purchase') return null;
    const grant = await this.credits.activatePurchase(tx, invoice.id, at);
    await this.credits.touch(tx, [invoice.customer_id]);
    return grant;
  }

  touch(tx: Tx, customerIds: readonly string[]): Promise<void> {
    return this.credits.touch(tx, customerIds);
  }
}
