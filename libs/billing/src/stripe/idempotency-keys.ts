// Idempotency keys of the push's Stripe calls (libs/stripe/README.md, "Idempotency keys"): derived from our ids
// and the step, so a retry, a second worker or a restarted one sends the very key the first attempt sent.
// Our ids are UUIDs, unique across organisations. The generation moves only after Stripe saved an error under a
// key (it would replay that error for 24 hours).

export type InvoiceStep = 'create' | 'lines' | 'finalize' | 'void' | 'delete';

const suffix = (generation: number) => (generation > 0 ? `:${generation}` : '');

export function invoiceStepKey(invoiceId: string, step: InvoiceStep, generation = 0): string {
  return `tollgate:invoice:${invoiceId}:${step}${suffix(generation)}`;
}

export function customerCreateKey(customerId: string, generation = 0): string {
  return `tollgate:customer:${customerId}:create${suffix(generation)}`;
}
