import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InvoicesRepository, Transactions } from '@tollgate/db';
import { Clock } from '../clock';
import { ConflictError, NotFoundError } from '../errors';
import { PlanBook, versionForPeriod } from '../pricing/plan-book';
import { assertInvoiceId, lockInvoice, type InvoiceCommand } from './invoice-commands';
import { InvoiceReader } from './invoice-reader';
import { InvoiceSettler } from './invoice-settler';
import type { InvoiceView } from './invoice-view';

const HOUR = 3_600_000;

/**
 * POST /v1/invoices/{id}/reissue: a voided invoice's period is invoiced again, as a new invoice computed now
 * (the period's usage not billed by another invoice, the customer's discount and coupons now, the plan version
 * of the period), with a new grace period from now; finalized at once when the plan has none and needs no
 * approval. Refused while the period has an invoice that is not void.
 */
@Injectable()
export class ReissueInvoice {
  constructor(
    private readonly transactions: Transactions,
    private readonly invoices: InvoicesRepository,
    private readonly settler: InvoiceSettler,
    private readonly reader: InvoiceReader,
    private readonly plans: PlanBook,
    private readonly clock: Clock,
  ) {}

  async execute(command: InvoiceCommand): Promise<InvoiceView> {
    assertInvoiceId(command.invoiceId);
    const now = this.clock.now();
    const { id, settled } = await this.transactions.run(async (tx) => {
      await this.invoices.lockBilling(tx, [command.organizationId], 'shared');
      const voided = await lockInvoice(this.invoices, tx, command);
      if (voided.status !== 'void')
        throw new ConflictError('invoice_not_void', `invoice ${voided.id} is ${voided.status}: only a void invoice is reissued`);
      // A credit purchase has no period to bill again: sell the credit again (POST /v1/customers/{id}/credits).
      if (voided.type !== 'usage')
        throw new ConflictError(
          'invoice_not_reissuable',
          `invoice ${voided.id} is a ${voided.type} invoice: only a usage invoice is reissued`,
        );
      const current = await this.invoices.periodInvoice(tx, voided.customer_id, voided.period_start);
      if (current !== null) throw new ConflictError('period_invoiced', `the period of invoice ${voided.id} is invoiced by ${current.id}`);
      const [customer] = await this.invoices.customers(tx, [voided.customer_id]);
      const versions = (await this.plans.forCodes(command.organizationId, [voided.plan_code], tx)).get(voided.plan_code) ?? [];
      const version = versionForPeriod(versions, voided.billing_period_end.getTime());
      if (version === null) throw new NotFoundError(`plan "${voided.plan_code}" has no version for the period`);
      const created = await this.invoices.insertDrafts(tx, [
        {
          id: randomUUID(),
          organization_id: voided.organization_id,
          customer_id: voided.customer_id,
          period_start: voided.period_start,
          period_end: voided.period_end,
          billing_period_end: voided.billing_period_end,
          // Whatever of the period is not billed elsewhere, its usage after an early close included.
          usage_through: null,
          currency: version.plan.currency,
          plan_code: voided.plan_code,
          plan_version_id: version.id,
          plan_version: version.version,
          discount: customer.discount,
          finalize_after: new Date(now.getTime() + version.plan.grace_period_hours * HOUR),
          requires_approval: version.plan.requires_approval,
        },
      ]);
      const settled = await this.settler.settle(tx, await this.invoices.lockInvoices(tx, created), now);
      return { id: created[0], settled };
    });
    await this.settler.afterCommit(settled);
    const row = await this.invoices.find(this.invoices.reader, command.organizationId, id);
    return (await this.reader.views([row!]))[0];
  }
}
