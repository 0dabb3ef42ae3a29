import type { Decimal } from '@tollgate/money';

// The port a billing use case depends on: plain types only, nothing from the `stripe` package, so
// libs/billing never sees Stripe's SDK. Amounts are Decimals in major units of the currency ("12.30" USD),
// already rounded to the minor unit by the invoice (libs/stripe/README.md, "Amounts").

/** Stripe's invoice statuses (https://docs.stripe.com/invoicing/overview#invoice-statuses). */
export type StripeInvoiceStatus = 'draft' | 'open' | 'paid' | 'uncollectible' | 'void';

/** How Stripe collects: charge the customer's saved payment method, or email an invoice due in N days. */
export type StripeCollection = { method: 'charge_automatically' } | { method: 'send_invoice'; daysUntilDue: number };

export interface EnsureCustomerInput {
  idempotencyKey: string;
  /** A Stripe customer the operator already has: it is retrieved (and must exist), never created. */
  stripeCustomerId?: string;
  tollgateCustomerId: string;
  name?: string;
  email?: string;
}

export interface StripeCustomerRef {
  id: string;
  /** True when this call created it. */
  created: boolean;
}

export interface CreateInvoiceInput {
  idempotencyKey: string;
  stripeCustomerId: string;
  /** Stored in the Stripe invoice's metadata, so the invoice can be found again without our stored id. */
  tollgateInvoiceId: string;
  /** ISO 4217 code as Tollgate stores it ("USD"). */
  currency: string;
  collection: StripeCollection;
  description?: string;
  /** More metadata (organisation, invoice number…); the tollgate_* keys are ours. */
  metadata?: Record<string, string>;
}

export interface InvoiceLineInput {
  /** The rounded invoice line amount in major units; negative for credits, allowance and coupons. */
  amount: Decimal;
  description: string;
  /** Our line's id, kept in the Stripe line's metadata to compare line by line. */
  tollgateLineId?: string;
  period?: { start: Date; end: Date };
}

export interface AddInvoiceLinesInput {
  idempotencyKey: string;
  stripeInvoiceId: string;
  /** The invoice's currency (Tollgate's code); every amount must be whole minor units of it. */
  currency: string;
  lines: InvoiceLineInput[];
}

export interface InvoiceTransitionInput {
  idempotencyKey: string;
  stripeInvoiceId: string;
}

export interface FindInvoiceInput {
  stripeCustomerId: string;
  tollgateInvoiceId: string;
}

/** What Stripe says about an invoice, in Tollgate's terms. */
export interface StripeInvoiceSummary {
  id: string;
  customerId: string;
  /** From metadata; null for invoices Tollgate did not create. */
  tollgateInvoiceId: string | null;
  status: StripeInvoiceStatus;
  currency: string;
  total: Decimal;
  amountDue: Decimal;
  amountPaid: Decimal;
  /** Stripe's invoice number, assigned at finalization. */
  number: string | null;
  hostedInvoiceUrl: string | null;
}

export interface StripeInvoiceLine {
  id: string;
  amount: Decimal;
  description: string | null;
  tollgateLineId: string | null;
}

export interface StripeInvoice extends StripeInvoiceSummary {
  collection: StripeCollection['method'];
  /** Every line, in Stripe's order. */
  lines: StripeInvoiceLine[];
  /**
   * How many lines our one add_lines call added: written to the invoice's metadata by that same call, so a
   * push that lost its idempotency key (expired after 24 h) can tell the lines are already there.
   */
  linesAddedCount: number | null;
}

/** The invoice events the push acts on; anything else is acknowledged and ignored. */
export const STRIPE_INVOICE_EVENTS = [
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.voided',
  'invoice.marked_uncollectible',
] as const;
export type StripeInvoiceEventType = (typeof STRIPE_INVOICE_EVENTS)[number];

export type StripeWebhookEvent =
  | { kind: 'invoice'; id: string; type: StripeInvoiceEventType; created: Date; invoice: StripeInvoiceSummary }
  | { kind: 'other'; id: string; type: string; created: Date };

/**
 * Stripe as the billing use cases see it (Nest injection token too). Every write takes the caller's
 * idempotency key; reads need none (Stripe ignores keys on GET). Errors are StripeRetryableError or
 * StripePermanentError (./errors), webhook failures StripeWebhookSignatureError.
 */
export abstract class StripeGateway {
  /** Creates the customer, or retrieves `stripeCustomerId` when given (a missing one is a permanent error). */
  abstract ensureCustomer(input: EnsureCustomerInput): Promise<StripeCustomerRef>;
  /** A draft with auto_advance off that takes no pending invoice items: only the lines we add. */
  abstract createInvoice(input: CreateInvoiceInput): Promise<StripeInvoice>;
  /** All lines in one add_lines call. */
  abstract addInvoiceLines(input: AddInvoiceLinesInput): Promise<StripeInvoice>;
  abstract finalizeInvoice(input: InvoiceTransitionInput): Promise<StripeInvoice>;
  abstract voidInvoice(input: InvoiceTransitionInput): Promise<StripeInvoice>;
  /** Deletes a draft (Stripe deletes drafts only; an open invoice is voided instead). */
  abstract deleteDraftInvoice(input: InvoiceTransitionInput): Promise<void>;
  abstract retrieveInvoice(stripeInvoiceId: string): Promise<StripeInvoice>;
  /** The customer's invoice whose metadata names our invoice, or null (strongly consistent; no search). */
  abstract findInvoice(input: FindInvoiceInput): Promise<StripeInvoice | null>;
  /** The raw body and its Stripe-Signature header, checked against STRIPE_WEBHOOK_SECRET. */
  abstract verifyWebhook(rawBody: Buffer | string, signatureHeader: string | undefined): StripeWebhookEvent;
}
