// Faults the next matching calls get instead of (or on top of) a normal answer. Each is consumed once per
// call, `times` times.

export type StripeTestOperation =
  | 'customers.create'
  | 'customers.retrieve'
  | 'invoices.create'
  | 'invoices.retrieve'
  | 'invoices.list'
  | 'invoices.list_lines'
  | 'invoices.add_lines'
  | 'invoices.finalize'
  | 'invoices.void'
  | 'invoices.delete'
  | 'invoices.pay'
  | 'invoices.mark_uncollectible'
  | 'events.retrieve'
  | 'events.list';

export type StripeFault =
  /** 500 api_error, nothing written. `saved`: kept under the idempotency key and replayed for it, as Stripe does once an endpoint began executing. */
  | { kind: 'server_error'; saved?: boolean }
  /** 429 rate_limit with `Retry-After: retryAfterSeconds` (default 1), nothing written. */
  | { kind: 'rate_limit'; retryAfterSeconds?: number }
  /** The write commits (and is saved under its key), then no answer: never, or only after `answerAfterMs`. */
  | { kind: 'timeout_after_commit'; answerAfterMs?: number }
  /** The connection is cut without an answer: before anything is written, or with `afterCommit` after the write committed. */
  | { kind: 'drop_connection'; afterCommit?: boolean };

export type StripeFaultPlan = StripeFault & {
  /** Only calls of this operation; any call when absent. */
  operation?: StripeTestOperation;
  /** How many matching calls get it (default 1). */
  times?: number;
};

interface Armed {
  fault: StripeFaultPlan;
  remaining: number;
}

export class FaultInjector {
  private armed: Armed[] = [];

  inject(plan: StripeFaultPlan): void {
    const times = plan.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault times must be a positive integer, got ${plan.times}`);
    this.armed.push({ fault: plan, remaining: times });
  }

  clear(): void {
    this.armed = [];
  }

  /** How many injected fault uses are still waiting. */
  pending(): number {
    return this.armed.reduce((sum, a) => sum + a.remaining, 0);
  }

  take(operation: StripeTestOperation): StripeFault | undefined {
    const armed = this.armed.find((a) => a.fault.operation === undefined || a.fault.operation === operation);
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining === 0) this.armed = this.armed.filter((a) => a !== armed);
    return armed.fault;
  }
}
