import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { CONFIG, type TollgateConfig } from '@tollgate/config';
import {
  InvoicesRepository,
  StripePushesRepository,
  Transactions,
  type PushChanges,
  type PushInvoiceRow,
  type PushLineRow,
  type StripePushRow,
  type StripePushState,
} from '@tollgate/db';
import { Decimal } from '@tollgate/money';
import { customerLines } from '@tollgate/pricing';
import { StripeGateway, StripePermanentError, StripeRetryableError, type StripeCollection, type StripeInvoice } from '@tollgate/stripe';
import { ConflictError } from '../errors';
import { MarkInvoicePaid } from '../invoices/mark-invoice-paid';
import { PublishWebhookEvent } from '../webhooks/publish-webhook-event';
import { differences } from './compare-with-stripe';
import { customerCreateKey, invoiceStepKey } from './idempotency-keys';
import { invoicePayload } from './invoice-event-payload';
import { STRIPE_METRICS, type StripeAlertReason, type StripeMetrics } from './stripe-metrics';

export interface PushInvoiceCommand {
  invoiceId: string;
}

export type PushResult =
  /** The push has nothing left to do: it ended in this state (done, failed or voided). */
  | { outcome: 'ended'; state: StripePushState }
  /** Another worker is doing it; try again after `retryAt` (its lease then lapses if it died). */
  | { outcome: 'busy'; retryAt: Date }
  /** No push for this invoice (it was finalized while the push was off), or the push is off. */
  | { outcome: 'none' };

/** 429s in a row one job waits out (each pausing every worker for Retry-After) before it gives the job back. */
const MAX_RATE_LIMITED = 5;

/** How soon a job that found the push held by another worker looks again. */
const BUSY_RETRY_MS = 2000;

/** A push's changes that stopped being ours: its lease lapsed and another worker took it. */
class LeaseLost extends Error {}

/** What a step works on, read once per job: the invoice, its customer and its lines. */
interface Subject {
  invoice: PushInvoiceRow;
  lines: PushLineRow[];
}

/**
 * Pushes one finalized invoice to Stripe, or voids Stripe's after ours was voided (docs/design.md "Stripe",
 * libs/stripe/README.md "The push"). Resumes from the state stored in `stripe_pushes`:
 *
 *   pending ─▶ customer_ready ─▶ invoice_created ─▶ lines_added ─▶ finalized ─▶ done
 *                                        └──────────────┴─▶ failed (a permanent error, or Stripe's lines differ from ours)
 *   any state, once our invoice is void ─▶ voided (Stripe's voided, its draft deleted, or none made)
 *
 * One worker at a time holds the push's lease; each step is one Stripe call with a key derived from our invoice id
 * and the step, then one guarded UPDATE. A step begun before (a crash, a timeout) is reconciled with Stripe before
 * it is called again: the create step looks the invoice up by our id in Stripe's metadata, so an expired key
 * never makes a second Stripe invoice. Retryable errors are thrown for the queue to retry with backoff.
 */
@Injectable()
export class PushInvoiceToStripe {
  private readonly logger = new Logger('stripe');
  private readonly leaseMs: number;

  constructor(
    private readonly pushes: StripePushesRepository,
    private readonly invoices: InvoicesRepository,
    private readonly transactions: Transactions,
    private readonly webhooks: PublishWebhookEvent,
    private readonly markPaid: MarkInvoicePaid,
    @Inject(CONFIG) config: TollgateConfig,
    @Optional() private readonly gateway?: StripeGateway,
    @Optional() @Inject(STRIPE_METRICS) private readonly metrics?: StripeMetrics,
  ) {
    // Long enough for a step's calls (a lookup and a call, each up to STRIPE_TIMEOUT_SECONDS), short enough that a
    // killed worker's push is taken up again soon.
    this.leaseMs = 3 * (config.stripe?.timeoutMs ?? 30_000) + 5_000;
  }

  async execute({ invoiceId }: PushInvoiceCommand): Promise<PushResult> {
    if (!this.gateway) return { outcome: 'none' };
    const token = randomUUID();
    const claim = await this.pushes.claim(invoiceId, token, this.leaseMs);
    if (claim.kind === 'missing') return { outcome: 'none' };
    // The holder usually finishes in moments (and does what this job would: it reads the row at every step);
    // looked at again soon, or when its lease lapses if it died.
    if (claim.kind === 'busy') return { outcome: 'busy', retryAt: new Date(Math.min(claim.until.getTime(), Date.now() + BUSY_RETRY_MS)) };
    try {
      return await this.run(claim.row, token);
    } catch (err) {
      if (err instanceof LeaseLost) return { outcome: 'busy', retryAt: new Date(Date.now() + BUSY_RETRY_MS) };
      throw err;
    } finally {
      await this.pushes.release(invoiceId, token);
    }
  }

  private async run(first: StripePushRow, token: string): Promise<PushResult> {
    const invoice = await this.pushes.invoice(first.invoice_id);
    if (invoice === null) return { outcome: 'none' };
    const subject: Subject = { invoice, lines: linesForCustomer(await this.pushes.lines(invoice.id), invoice.customer_line_detail) };
    let row = first;
    let rateLimited = 0;
    for (;;) {
      if (!hasWork(row)) return { outcome: 'ended', state: row.state };
      try {
        row = (await this.step(row, token, subject)) ?? (await this.reread(row, token));
        rateLimited = 0;
      } catch (err) {
        if (err instanceof StripePermanentError) {
          row = (await this.fail(row, token, subject, 'push_failed', `${err.reason}: ${err.message}`)) ?? (await this.reread(row, token));
          continue;
        }
        if (!(err instanceof StripeRetryableError)) throw err;
        // Stripe saved this error under the key and would replay it: the next attempt reconciles, then uses new keys.
        if (err.replayed) await this.pushes.nextKeyGeneration(row.invoice_id, token, row.state, row.key_generation);
        // The gateway paused every worker for Retry-After; this job waits its turn and goes on.
        if (err.reason === 'rate_limited' && ++rateLimited <= MAX_RATE_LIMITED) {
          row = await this.reread(row, token);
          continue;
        }
        throw err;
      }
    }
  }

  /** One step from the row's state; null when its guarded write found the push moved on (re-read it). */
  private step(row: StripePushRow, token: string, subject: Subject): Promise<StripePushRow | null> {
    if (row.void_requested_at !== null) return this.voidOnStripe(row, token, subject);
    switch (row.state) {
      case 'pending':
        return this.ensureCustomer(row, token, subject);
      case 'customer_ready':
        return this.createInvoice(row, token, subject);
      case 'invoice_created':
        return this.addLines(row, token, subject);
      case 'lines_added':
        return this.finalize(row, token, subject);
      case 'finalized':
        return this.settle(row, token, subject);
      default:
        throw new Error(`a push in state ${row.state} has no step`);
    }
  }

  /** pending → customer_ready: the customer's Stripe id (made once, stored), and how Stripe collects, frozen. */
  private async ensureCustomer(row: StripePushRow, token: string, { invoice }: Subject): Promise<StripePushRow | null> {
    let stripeCustomerId = invoice.stripe_customer_id;
    if (stripeCustomerId === null) {
      const begun = await this.begin(row, token);
      if (!begun) return null;
      const ref = await this.gateway!.ensureCustomer({
        idempotencyKey: customerCreateKey(invoice.customer_id, begun.key_generation),
        tollgateCustomerId: invoice.customer_id,
        name: invoice.customer_name ?? invoice.external_customer_id,
        email: invoice.customer_email ?? undefined,
      });
      stripeCustomerId = await this.pushes.storeStripeCustomer(invoice.customer_id, ref.id);
      invoice.stripe_customer_id = stripeCustomerId;
    }
    return this.advance(null, row, token, 'customer_ready', {
      stripe_customer_id: stripeCustomerId,
      collection_method: invoice.collection_method,
      days_until_due: invoice.collection_method === 'send_invoice' ? (invoice.days_until_due ?? 30) : null,
    });
  }

  /** customer_ready → invoice_created: a draft, or, if this step was begun before, the one it may have made. */
  private async createInvoice(row: StripePushRow, token: string, { invoice }: Subject): Promise<StripePushRow | null> {
    const begun = await this.begin(row, token);
    if (!begun) return null;
    const stripeCustomerId = row.stripe_customer_id!;
    let created: StripeInvoice | null = null;
    if (begun.step_attempts > 1) created = await this.gateway!.findInvoice({ stripeCustomerId, tollgateInvoiceId: invoice.id });
    created ??= await this.gateway!.createInvoice({
      idempotencyKey: invoiceStepKey(invoice.id, 'create', begun.key_generation),
      stripeCustomerId,
      tollgateInvoiceId: invoice.id,
      currency: invoice.currency,
      collection: collectionOf(row),
      description: `${invoice.number ?? 'Invoice'}: ${invoice.period_start.toISOString().slice(0, 10)} to ${invoice.period_end
        .toISOString()
        .slice(0, 10)}`,
      metadata: { tollgate_invoice_number: invoice.number ?? '', tollgate_organization_id: invoice.organization_id },
    });
    return this.adopt(row, token, created);
  }

  /** Stores Stripe's invoice on the push and on ours, in one transaction. */
  private adopt(row: StripePushRow, token: string, stripeInvoice: StripeInvoice): Promise<StripePushRow | null> {
    return this.transactions.run(async (tx) => {
      const moved = await this.advance(tx, row, token, 'invoice_created', { stripe_invoice_id: stripeInvoice.id });
      if (moved) await this.pushes.recordStripeInvoice(tx, row.invoice_id, stripeInvoice.id, stripeInvoice.status);
      return moved;
    });
  }

  /**
   * invoice_created → lines_added: every line in one add_lines call (which marks the invoice with their count), then
   * Stripe's lines and total compared with ours to the cent; any difference stops the push (failed, with an alert).
   */
  private async addLines(row: StripePushRow, token: string, subject: Subject): Promise<StripePushRow | null> {
    const { invoice, lines } = subject;
    if (lines.length === 0) return this.advance(null, row, token, 'lines_added');
    const begun = await this.begin(row, token);
    if (!begun) return null;
    const stripeInvoiceId = row.stripe_invoice_id!;
    let stripeInvoice: StripeInvoice | null = null;
    // Begun before: the lines may be there already (the marker says so), whatever became of the key.
    if (begun.step_attempts > 1) {
      const found = await this.gateway!.retrieveInvoice(stripeInvoiceId);
      if (found.linesAddedCount !== null) stripeInvoice = found;
    }
    stripeInvoice ??= await this.gateway!.addInvoiceLines({
      idempotencyKey: invoiceStepKey(invoice.id, 'lines', begun.key_generation),
      stripeInvoiceId,
      currency: invoice.currency,
      lines: lines.map((l) => ({
        amount: new Decimal(l.amount),
        description: l.description,
        tollgateLineId: l.id,
        period: { start: invoice.period_start, end: invoice.period_end },
      })),
    });
    const problems = differences(ours(subject), stripeInvoice);
    if (problems.length > 0)
      return this.fail(row, token, subject, 'mismatch', `Stripe's invoice differs from ours: ${problems.join('; ')}`);
    return this.advance(null, row, token, 'lines_added');
  }

  /** lines_added → finalized: from here Stripe collects. Its status is recorded on our invoice. */
  private async finalize(row: StripePushRow, token: string, subject: Subject): Promise<StripePushRow | null> {
    const begun = await this.begin(row, token);
    if (!begun) return null;
    const stripeInvoiceId = row.stripe_invoice_id!;
    let stripeInvoice: StripeInvoice | null = null;
    if (begun.step_attempts > 1) {
      const found = await this.gateway!.retrieveInvoice(stripeInvoiceId);
      if (found.status !== 'draft') stripeInvoice = found;
    }
    try {
      stripeInvoice ??= await this.gateway!.finalizeInvoice({
        idempotencyKey: invoiceStepKey(subject.invoice.id, 'finalize', begun.key_generation),
        stripeInvoiceId,
      });
    } catch (err) {
      // Finalized already (a call whose answer was lost, under a key since expired): take it as it is.
      if (!(err instanceof StripePermanentError && err.code === 'status_transition_invalid')) throw err;
      stripeInvoice = await this.gateway!.retrieveInvoice(stripeInvoiceId);
      if (stripeInvoice.status === 'draft') throw err;
    }
    const finalized = stripeInvoice;
    const problems = differences(ours(subject), finalized);
    if (problems.length > 0)
      return this.fail(row, token, subject, 'mismatch', `Stripe's finalized invoice differs from ours: ${problems.join('; ')}`);
    return this.transactions.run(async (tx) => {
      const moved = await this.advance(tx, row, token, 'finalized');
      if (moved) await this.pushes.recordStripeInvoice(tx, row.invoice_id, finalized.id, finalized.status);
      return moved;
    });
  }

  /**
   * finalized → done. An invoice with nothing due is paid on Stripe the moment it is finalized: ours is marked
   * paid here too (its invoice.paid webhook would do the same; whichever comes first does it).
   */
  private async settle(row: StripePushRow, token: string, { invoice }: Subject): Promise<StripePushRow | null> {
    const current = await this.pushes.invoice(invoice.id);
    if (current?.stripe_status === 'paid' && (current.status === 'finalized' || current.status === 'payment_failed'))
      await this.markPaid
        .execute({ organizationId: invoice.organization_id, invoiceId: invoice.id, source: 'stripe' })
        .catch((err: unknown) => {
          // Voided meanwhile: the void's own step deals with Stripe's paid invoice.
          if (!(err instanceof ConflictError)) throw err;
        });
    const done = await this.advance(null, row, token, 'done');
    if (done) this.metrics?.pushEnded?.('done');
    return done;
  }

  /**
   * Our invoice is void: Stripe's must not stay open. Whatever the state, Stripe's invoice is looked up: an open
   * (or uncollectible) one is voided, a draft deleted, none left as it is. One paid meanwhile cannot be voided:
   * the push fails with an alert (refund it on Stripe).
   */
  private async voidOnStripe(row: StripePushRow, token: string, subject: Subject): Promise<StripePushRow | null> {
    const { invoice } = subject;
    const begun = await this.begin(row, token);
    if (!begun) return null;
    let stripeInvoice: StripeInvoice | null = null;
    if (row.stripe_invoice_id !== null) stripeInvoice = await this.retrieveIfAny(row.stripe_invoice_id);
    else if (row.stripe_customer_id !== null && mayHaveCreated(row))
      // The create step was begun: its invoice may exist though its id was never stored.
      stripeInvoice = await this.gateway!.findInvoice({ stripeCustomerId: row.stripe_customer_id, tollgateInvoiceId: invoice.id });

    let status: string | null = null;
    if (stripeInvoice?.status === 'paid')
      return this.fail(
        row,
        token,
        subject,
        'paid_after_void',
        `our invoice was voided but Stripe's ${stripeInvoice.id} is paid: refund it on Stripe`,
        stripeInvoice.id,
      );
    if (stripeInvoice?.status === 'draft') {
      await this.gateway!.deleteDraftInvoice({
        idempotencyKey: invoiceStepKey(invoice.id, 'delete', begun.key_generation),
        stripeInvoiceId: stripeInvoice.id,
      }).catch((err: unknown) => {
        if (!(err instanceof StripePermanentError && err.reason === 'not_found')) throw err;
      });
      status = 'deleted';
    } else if (stripeInvoice?.status === 'open' || stripeInvoice?.status === 'uncollectible') {
      const voided = await this.gateway!.voidInvoice({
        idempotencyKey: invoiceStepKey(invoice.id, 'void', begun.key_generation),
        stripeInvoiceId: stripeInvoice.id,
      });
      status = voided.status;
    } else if (stripeInvoice?.status === 'void') status = 'void';
    // Gone: an earlier attempt deleted the draft and died before recording it.
    else if (stripeInvoice === null && row.stripe_invoice_id !== null) status = 'deleted';
    const stripeInvoiceId = stripeInvoice?.id ?? row.stripe_invoice_id;
    const voided = await this.transactions.run(async (tx) => {
      const moved = await this.advance(tx, row, token, 'voided', stripeInvoiceId ? { stripe_invoice_id: stripeInvoiceId } : {});
      if (moved && stripeInvoiceId && status) await this.pushes.recordStripeInvoice(tx, row.invoice_id, stripeInvoiceId, status);
      return moved;
    });
    if (voided) this.metrics?.pushEnded?.('voided');
    return voided;
  }

  /** Stripe's invoice, or null when it is gone (a draft deleted by an earlier attempt). */
  private async retrieveIfAny(stripeInvoiceId: string): Promise<StripeInvoice | null> {
    try {
      return await this.gateway!.retrieveInvoice(stripeInvoiceId);
    } catch (err) {
      if (err instanceof StripePermanentError && err.reason === 'not_found') return null;
      throw err;
    }
  }

  /** Stops the push with an alert: state failed with the reason, an error log, a metric, `invoice.push_failed`. */
  private async fail(
    row: StripePushRow,
    token: string,
    { invoice }: Subject,
    alert: StripeAlertReason,
    reason: string,
    stripeInvoiceId?: string,
  ): Promise<StripePushRow | null> {
    const step = stepOf(row);
    const result = await this.transactions.run(async (tx) => {
      const moved = await this.advance(tx, row, token, 'failed', { failed_step: step, failure: reason });
      if (!moved) return null;
      const stored = await this.invoices.find(tx, invoice.organization_id, invoice.id);
      const published = await this.webhooks.publish(tx, {
        organizationId: invoice.organization_id,
        type: 'invoice.push_failed',
        subjectKey: `invoice:${invoice.id}`,
        payload: invoicePayload(stored!, {
          step,
          reason,
          ...(stripeInvoiceId && !stored!.stripe_invoice_id ? { stripe_invoice_id: stripeInvoiceId } : {}),
        }),
      });
      return { moved, published };
    });
    if (!result) return null;
    await this.webhooks.dispatch(result.published);
    this.logger.error({ msg: 'the Stripe push of an invoice stopped', invoice: invoice.id, number: invoice.number, step, alert, reason });
    this.metrics?.alert(alert);
    this.metrics?.pushEnded?.('failed');
    return result.moved;
  }

  private advance(
    tx: Parameters<StripePushesRepository['advance']>[0],
    row: StripePushRow,
    token: string,
    to: StripePushState,
    changes: PushChanges = {},
  ): Promise<StripePushRow | null> {
    return this.pushes.advance(tx, row.invoice_id, token, this.leaseMs, row.state, to, changes);
  }

  /** Counts the step's call as begun, before it is made; null when the push moved on (the loop reads it again). */
  private begin(row: StripePushRow, token: string): Promise<StripePushRow | null> {
    return this.pushes.beginStep(row.invoice_id, token, this.leaseMs, row.state);
  }

  /** The row after a guard failed: still ours (a webhook or a void moved it), or the lease is lost. */
  private async reread(row: StripePushRow, token: string): Promise<StripePushRow> {
    const current = await this.pushes.find(row.invoice_id);
    if (current === null || current.lease_token !== token) throw new LeaseLost();
    return current;
  }
}

/**
 * Whether the push has work left: every step up to done, and, once our invoice is void, voiding Stripe's (unless
 * that failed: Stripe's was paid first). The predicate of the sweeper's index (StripePushesRepository.idle).
 */
function hasWork(row: StripePushRow): boolean {
  if (row.void_requested_at !== null) return row.state !== 'voided' && row.failed_step !== 'void';
  return !['done', 'failed', 'voided'].includes(row.state);
}

function collectionOf(row: StripePushRow): StripeCollection {
  return row.collection_method === 'send_invoice'
    ? { method: 'send_invoice', daysUntilDue: row.days_until_due ?? 30 }
    : { method: 'charge_automatically' };
}

/** Whether a push may have made a Stripe invoice whose id it did not store: its create step was begun. */
function mayHaveCreated(row: StripePushRow): boolean {
  return (row.state === 'customer_ready' && row.step_attempts > 0) || row.failed_step === 'create';
}

/** The step a push in this state is at, as its failure names it. */
function stepOf(row: StripePushRow): string {
  if (row.void_requested_at !== null) return 'void';
  const steps: Partial<Record<StripePushState, string>> = {
    pending: 'customer',
    customer_ready: 'create',
    invoice_created: 'lines',
    lines_added: 'finalize',
    finalized: 'settle',
  };
  return steps[row.state] ?? row.state;
}

function ours({ invoice, lines }: Subject) {
  return {
    currency: invoice.currency,
    total: new Decimal(invoice.total),
    lines: lines.map((l) => ({ id: l.id, position: l.position, description: l.description, amount: new Decimal(l.amount) })),
  };
}

/**
 * The lines Stripe gets, as the customer sees them everywhere (the plan's customer_line_detail, customerLines): a
 * summary line carries the id and position of the first line it stands for, so the comparison with Stripe's
 * invoice still matches line by line.
 */
function linesForCustomer(lines: readonly PushLineRow[], detail: string): PushLineRow[] {
  const shown = customerLines(
    lines.map((l) => ({ ...l, amount: new Decimal(l.amount) })),
    detail === 'summary' ? 'summary' : 'per_charge',
  );
  return shown.map((l) => ({
    id: l.line.id,
    position: l.line.position,
    type: l.line.type,
    description: l.description,
    amount: l.amount.toFixed(),
  }));
}
