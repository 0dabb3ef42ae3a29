import type { InvoiceRow, InvoicesRepository, Tx } from '@tollgate/db';
import { NotFoundError } from '../errors';
import { isUuid } from '../webhooks/ids';

export interface InvoiceCommand {
  organizationId: string;
  invoiceId: string;
}

/**
 * An invoice of the organisation, locked with its customer (customer first: the order every change to a
 * customer's invoices takes its locks in).
 */
export async function lockInvoice(
  invoices: InvoicesRepository,
  tx: Tx,
  { organizationId, invoiceId }: InvoiceCommand,
): Promise<InvoiceRow> {
  const found = await invoices.find(tx, organizationId, invoiceId);
  if (found === null) throw new NotFoundError(`invoice "${invoiceId}" not found`);
  await invoices.lockCustomerById(tx, found.customer_id);
  return (await invoices.lockInvoices(tx, [found.id]))[0];
}

/** An id that cannot be an invoice's is simply not found (never a database error). */
export function assertInvoiceId(id: string): void {
  if (!isUuid(id)) throw new NotFoundError(`invoice "${id}" not found`);
}
