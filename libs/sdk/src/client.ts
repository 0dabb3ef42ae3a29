import { BudgetGuard, type BudgetGuardOptions } from './budget';
import { type Attribution, currentTask, runTask, type TaskContext } from './context';
import { retryDelay } from './delivery/backoff';
import { deliverAtExit } from './delivery/deliver-at-exit';
import { registerForExit, unregisterForExit } from './delivery/exit-hooks';
import { type PostConfig, postEvents } from './delivery/post-events';
import { USAGE_DIMENSIONS } from './dimensions';
import { BudgetExceededError, TollgateDeliveryError } from './errors';
import type { DeliveryResult, DropReason, TollgateStats, TollgateWarning, TrackEvent, WireEvent } from './types';
import { uuidv7 } from './uuidv7';

export interface TollgateOptions {
  /** An ingest key. Default: TOLLGATE_API_KEY. */
  apiKey?: string;
  /** Default: TOLLGATE_BASE_URL, else http://localhost:3000. */
  baseUrl?: string;
  /** The customer of calls made outside any `task()` and without their own. */
  customer?: string;
  /** Events per request (the API takes 1 to 1,000). Default 100. */
  maxBatchSize?: number;
  /** A partial batch waits at most this long. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Events waiting to be sent; beyond it new events are dropped (and reported). Default 10,000. */
  maxQueueSize?: number;
  /** Requests in flight at once. Default 2. */
  maxConcurrency?: number;
  /** Attempts after the first for a batch the API could not take (429, 5xx, network). Default 8. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  requestTimeoutMs?: number;
  /** Deliver what is pending when the process exits. Default true. */
  flushOnExit?: boolean;
  /** How long exiting may wait for delivery. Default 5000 ms. */
  exitTimeoutMs?: number;
  /** Check the customer's entitlement before each instrumented call and refuse it when out of budget. */
  budgetGuard?: boolean | BudgetGuardOptions;
  fetch?: typeof fetch;
  /** Events that will not be delivered, and why. */
  onDrop?: (events: readonly WireEvent[], reason: DropReason) => void;
  /** Delivery problems (rejected events, refused requests, exhausted retries). Never thrown. */
  onError?: (error: Error) => void;
  /** The API's per-event answers. */
  onDelivered?: (results: readonly DeliveryResult[]) => void;
  /**
   * A call sent with `status: "usage_unknown"`: its usage could not be read, so Tollgate stores it unpriced
   * (never at zero). Counted in `stats().usageUnknown` either way.
   */
  onWarning?: (warning: TollgateWarning) => void;
}

export interface ShutdownOptions {
  /** Give up on what is still undelivered after this long. Default: exitTimeoutMs. */
  timeoutMs?: number;
}

/** Failed calls outside any task, remembered so their repeat is marked `retry_of`. */
const MAX_REMEMBERED_FAILURES = 1_000;
const FAILURE_MEMORY_MS = 10 * 60_000;

export class Tollgate {
  private readonly queue: WireEvent[] = [];
  private readonly inFlight = new Set<readonly WireEvent[]>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly sleepers = new Set<() => void>();
  private readonly failures = new Map<string, { id: string; at: number }>();
  private readonly post: PostConfig;
  private readonly options: Required<
    Pick<
      TollgateOptions,
      | 'maxBatchSize'
      | 'flushIntervalMs'
      | 'maxQueueSize'
      | 'maxConcurrency'
      | 'maxRetries'
      | 'retryBaseMs'
      | 'retryMaxMs'
      | 'flushOnExit'
      | 'exitTimeoutMs'
    >
  >;
  private readonly counters = { accepted: 0, duplicate: 0, rejected: 0, dropped: 0, retries: 0, usageUnknown: 0 };
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pumpScheduled = false;
  /** Partial batches go now: the interval elapsed or a flush asked. */
  private draining = false;
  private active = 0;
  private closed = false;
  /** While exiting or shutting down: retries stop at this instant. */
  private deadline: number | undefined;
  private readonly baseUrl: string;
  private readonly guardCalls: boolean;
  private budget: BudgetGuard | undefined;
  readonly defaultCustomer: string | undefined;

  constructor(private readonly config: TollgateOptions = {}) {
    const env = typeof process !== 'undefined' ? process.env : {};
    const apiKey = config.apiKey ?? env.TOLLGATE_API_KEY ?? '';
    const baseUrl = (config.baseUrl ?? env.TOLLGATE_BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
    const fetchImpl = config.fetch ?? globalThis.fetch.bind(globalThis);
    const timeoutMs = config.requestTimeoutMs ?? 10_000;
    this.options = {
      maxBatchSize: Math.min(1_000, Math.max(1, config.maxBatchSize ?? 100)),
      flushIntervalMs: config.flushIntervalMs ?? 1_000,
      maxQueueSize: Math.max(1, config.maxQueueSize ?? 10_000),
      maxConcurrency: Math.max(1, config.maxConcurrency ?? 2),
      maxRetries: config.maxRetries ?? 8,
      retryBaseMs: config.retryBaseMs ?? 250,
      retryMaxMs: config.retryMaxMs ?? 30_000,
      flushOnExit: config.flushOnExit ?? true,
      exitTimeoutMs: config.exitTimeoutMs ?? 5_000,
    };
    this.post = { eventsUrl: `${baseUrl}/v1/events`, apiKey, fetch: fetchImpl, timeoutMs };
    this.baseUrl = baseUrl;
    this.defaultCustomer = config.customer;
    this.guardCalls = Boolean(config.budgetGuard);

    if (this.options.flushOnExit) registerForExit(this);
  }

  /**
   * Records one model call. Never blocks, never throws: problems go to onError / onDrop.
   * Returns the event's transaction id (made now, reused on every delivery attempt).
   */
  track(event: TrackEvent): string {
    return this.record(event, currentTask());
  }

  /** Runs fn as a task: every call inside is attributed to it (and to its customer and feature). */
  task<T>(name: string, attribution: Attribution, fn: () => T): T {
    const parent = currentTask();
    const context: TaskContext = {
      taskName: name,
      taskId: attribution.taskId ?? uuidv7(),
      customer: attribution.customer ?? parent?.customer,
      feature: attribution.feature ?? parent?.feature,
      sessionId: attribution.sessionId ?? parent?.sessionId,
      traceId: attribution.traceId ?? parent?.traceId,
      metadata: attribution.metadata ?? parent?.metadata,
      failures: new Map(),
    };
    return runTask(context, fn);
  }

  /** Throws BudgetExceededError when the customer may not make another call (needs no `budgetGuard` option). */
  async checkBudget(customer: string | undefined = currentTask()?.customer ?? this.defaultCustomer): Promise<void> {
    if (customer) await this.budgetGuard().check(customer);
  }

  /** Sends everything pending now; resolves when nothing is queued or in flight. */
  flush(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.draining = true;
    this.pump();
    return idle;
  }

  /** Stops taking events, delivers what is pending (up to timeoutMs), and detaches from the process. */
  async shutdown(options: ShutdownOptions = {}): Promise<void> {
    this.closed = true;
    this.setDeadline(Date.now() + (options.timeoutMs ?? this.options.exitTimeoutMs));
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    unregisterForExit(this);
  }

  /** Whether instrumented calls check the budget guard first (the `budgetGuard` option). */
  get guardsCalls(): boolean {
    return this.guardCalls;
  }

  stats(): TollgateStats {
    let inFlight = 0;
    for (const batch of this.inFlight) inFlight += batch.length;
    return { queued: this.queue.length, inFlight, ...this.counters };
  }

  /** @internal Records a call under a task context captured when the call started. */
  record(event: TrackEvent, context: TaskContext | undefined): string {
    let id = '';
    try {
      const now = Date.now();
      id = event.transactionId ?? uuidv7(now);
      const wire = this.toWire(event, context, id, now);
      if (!wire) return id;
      if (wire.status === 'usage_unknown') this.warnUsageUnknown(wire);
      this.enqueue(wire);
    } catch (error) {
      this.report(error);
    }
    return id;
  }

  /** @internal The transaction id of the last failure of an identical call, if any. */
  lastFailure(context: TaskContext | undefined, fingerprint: string): string | undefined {
    if (context) return context.failures.get(fingerprint);
    const entry = this.failures.get(fingerprint);
    return entry && Date.now() - entry.at < FAILURE_MEMORY_MS ? entry.id : undefined;
  }

  /** @internal */
  rememberFailure(context: TaskContext | undefined, fingerprint: string, transactionId: string | undefined): void {
    const failures = context ? context.failures : this.failures;
    failures.delete(fingerprint);
    if (transactionId === undefined) return;
    if (context) {
      context.failures.set(fingerprint, transactionId);
      return;
    }
    if (this.failures.size >= MAX_REMEMBERED_FAILURES) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(fingerprint, { id: transactionId, at: Date.now() });
  }

  /**
   * @internal The budget guard's verdict for an instrumented call: undefined to go ahead now, a promise
   * to wait for, or a BudgetExceededError to throw.
   */
  guard(context: TaskContext | undefined): undefined | Promise<void> | BudgetExceededError {
    const customer = context?.customer ?? this.defaultCustomer;
    if (!this.guardCalls || !customer) return undefined;
    const guard = this.budgetGuard();
    const cached = guard.cached(customer);
    if (cached === true) return undefined;
    if (cached instanceof BudgetExceededError) return cached;
    return guard.check(customer);
  }

  private budgetGuard(): BudgetGuard {
    const options = typeof this.config.budgetGuard === 'object' ? this.config.budgetGuard : {};
    this.budget ??= new BudgetGuard(
      { baseUrl: this.baseUrl, apiKey: this.post.apiKey, fetch: this.post.fetch, timeoutMs: this.post.timeoutMs },
      options,
    );
    return this.budget;
  }

  /** @internal Called by the process 'beforeExit' hook: the loop is empty, so start delivering what waits. */
  onBeforeExit(): void {
    if (this.queue.length === 0) return;
    this.setDeadline(Date.now() + this.options.exitTimeoutMs);
    void this.flush().then(() => {
      if (!this.closed) this.deadline = undefined;
    });
  }

  /** @internal Called by the process 'exit' hook: only synchronous work is possible now. */
  onExit(): void {
    if (this.queue.length === 0 && this.inFlight.size === 0) return;
    const batches: WireEvent[][] = [...this.inFlight].map((batch) => [...batch]);
    while (this.queue.length > 0) batches.push(this.queue.splice(0, this.options.maxBatchSize));
    const failed = deliverAtExit(this.post.eventsUrl, this.post.apiKey, batches, this.options.exitTimeoutMs);
    for (const index of failed) this.drop(batches[index], 'delivery_failed');
  }

  private toWire(event: TrackEvent, context: TaskContext | undefined, id: string, now: number): WireEvent | undefined {
    const customer = event.customer ?? context?.customer ?? this.defaultCustomer;
    const problem = !customer
      ? 'no customer (pass `customer`, or call inside tollgate.task)'
      : !event.model
        ? 'no model'
        : invalidUsage(event.usage);
    const timestamp =
      event.timestamp === undefined ? now : typeof event.timestamp === 'number' ? event.timestamp : event.timestamp.getTime();
    const wire: WireEvent = { transaction_id: id, external_customer_id: customer ?? '', timestamp, model: event.model, usage: event.usage };
    if (problem) {
      this.report(new TollgateDeliveryError(`Tollgate: event not sent: ${problem}`, [id], undefined, 'invalid_event'));
      this.drop([wire], 'invalid');
      return undefined;
    }
    if (event.provider !== undefined) wire.provider = event.provider;
    if (event.cost !== undefined) wire.cost = event.cost;
    if (event.status !== undefined) wire.status = event.status;
    if (event.retryOf !== undefined) wire.retry_of = event.retryOf;
    const taskId = event.taskId ?? context?.taskId;
    if (taskId !== undefined) wire.task_id = taskId;
    const traceId = event.traceId ?? context?.traceId;
    if (traceId !== undefined) wire.trace_id = traceId;
    const sessionId = event.sessionId ?? context?.sessionId;
    if (sessionId !== undefined) wire.session_id = sessionId;
    const feature = event.feature ?? context?.feature;
    if (feature !== undefined) wire.feature = feature;
    if (context || event.metadata) {
      wire.metadata = context ? { task_name: context.taskName, ...context.metadata, ...event.metadata } : event.metadata;
    }
    return wire;
  }

  private warnUsageUnknown(wire: WireEvent): void {
    this.counters.usageUnknown++;
    const onWarning = this.config.onWarning;
    if (!onWarning) return;
    const call = `${wire.provider ?? 'unknown provider'} ${wire.model}`;
    const warning: TollgateWarning = {
      code: 'usage_unknown',
      message: `Tollgate: the usage of a ${call} call could not be read; it is sent as usage_unknown and left unpriced`,
      transactionId: wire.transaction_id,
      model: wire.model,
    };
    if (wire.provider !== undefined) warning.provider = wire.provider;
    this.callback(() => onWarning(warning));
  }

  private enqueue(wire: WireEvent): void {
    if (this.closed) return this.drop([wire], 'shutdown');
    if (this.queue.length >= this.options.maxQueueSize) return this.drop([wire], 'queue_full');
    this.queue.push(wire);
    if (this.queue.length >= this.options.maxBatchSize) {
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        queueMicrotask(() => this.pump());
      }
    } else if (this.timer === undefined && !this.draining) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.draining = true;
        this.pump();
      }, this.options.flushIntervalMs);
      // An idle agent process may exit while a partial batch waits: 'beforeExit' delivers it.
      this.timer.unref?.();
    }
  }

  private pump(): void {
    this.pumpScheduled = false;
    const { maxBatchSize, maxConcurrency } = this.options;
    while (this.active < maxConcurrency && this.queue.length > 0 && (this.draining || this.queue.length >= maxBatchSize)) {
      const batch = this.queue.splice(0, maxBatchSize);
      this.active++;
      this.inFlight.add(batch);
      void this.deliver(batch).finally(() => {
        this.active--;
        this.inFlight.delete(batch);
        this.pump();
      });
    }
    if (this.isIdle()) {
      this.draining = false;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.active === 0;
  }

  private async deliver(batch: readonly WireEvent[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await postEvents(this.post, batch);
      if (outcome.kind === 'delivered') return this.settle(outcome.results);
      if (outcome.kind === 'too_large' && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.deliver(batch.slice(0, half));
        return this.deliver(batch.slice(half));
      }
      const ids = batch.map((e) => e.transaction_id);
      if (outcome.kind === 'too_large') {
        this.report(new TollgateDeliveryError('Tollgate: event larger than the API accepts', ids, 413, 'payload_too_large'));
        return this.drop(batch, 'delivery_failed');
      }
      if (outcome.kind === 'refused') {
        this.report(
          new TollgateDeliveryError(`Tollgate: ingest API refused the batch: ${outcome.message}`, ids, outcome.status, outcome.code),
        );
        return this.drop(batch, 'delivery_failed');
      }
      const delay = retryDelay(attempt, outcome.retryAfterMs, { baseMs: this.options.retryBaseMs, maxMs: this.options.retryMaxMs });
      const remaining = this.deadline === undefined ? Infinity : this.deadline - Date.now();
      if (attempt >= this.options.maxRetries || remaining <= 0) {
        this.report(
          new TollgateDeliveryError(`Tollgate: delivery failed after ${attempt + 1} attempts: ${outcome.message}`, ids, outcome.status),
        );
        return this.drop(batch, 'delivery_failed');
      }
      this.counters.retries++;
      await this.sleep(Math.min(delay, remaining));
    }
  }

  private settle(results: DeliveryResult[]): void {
    for (const result of results) {
      this.counters[result.status === 'accepted' || result.status === 'duplicate' ? result.status : 'rejected']++;
      if (result.status === 'rejected') {
        const message = `Tollgate: event ${result.transaction_id} rejected: ${result.error?.code ?? 'unknown'}: ${result.error?.message ?? ''}`;
        this.report(new TollgateDeliveryError(message, [result.transaction_id], 200, result.error?.code));
      }
    }
    const onDelivered = this.config.onDelivered;
    if (onDelivered) this.callback(() => onDelivered(results));
  }

  /** A ref'd timer: a process with a retry pending stays alive until it is done. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  private setDeadline(at: number): void {
    this.deadline = this.deadline === undefined ? at : Math.min(this.deadline, at);
    // Retries waiting past the deadline try once more now rather than hold the exit.
    for (const wake of [...this.sleepers]) wake();
  }

  private drop(events: readonly WireEvent[], reason: DropReason): void {
    this.counters.dropped += events.length;
    const onDrop = this.config.onDrop;
    if (onDrop) this.callback(() => onDrop(events, reason));
  }

  private report(error: unknown): void {
    const onError = this.config.onError;
    if (onError) this.callback(() => onError(error instanceof Error ? error : new Error(String(error))));
  }

  /** A user callback that throws must not break delivery or reach the agent. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch {
      // Deliberately ignored: see above.
    }
  }
}

const DIMENSIONS: ReadonlySet<string> = new Set(USAGE_DIMENSIONS);

function invalidUsage(usage: unknown): string | undefined {
  if (usage === null || typeof usage !== 'object') return 'usage is not an object';
  for (const key in usage) {
    if (!DIMENSIONS.has(key)) return `unknown usage dimension ${key}`;
    const value = (usage as Record<string, unknown>)[key];
    if (!Number.isSafeInteger(value) || (value as number) < 0) return `usage ${key} is not a non-negative integer`;
  }
  return undefined;
}
