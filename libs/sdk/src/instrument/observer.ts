import type { Tollgate } from '../client';
import { currentTask, type TaskContext } from '../context';
import type { BudgetExceededError } from '../errors';
import type { NormalisedUsage } from '../normalise/openai-chat';
import type { EventStatus } from '../types';
import { fingerprint } from './fingerprint';

/**
 * One instrumented model call, from start to its event. Captures the task context when the call
 * starts (a stream may end outside it), marks a repeat of a failed identical call as `retry_of`, and
 * records exactly one event: success, error, or an abandoned stream.
 */
export class CallObserver {
  readonly context: TaskContext | undefined;
  private readonly startedAt = Date.now();
  private readonly key: string | undefined;
  private readonly retryOf: string | undefined;
  private done = false;

  constructor(
    private readonly tollgate: Tollgate,
    private readonly provider: string,
    operation: string,
    params: unknown,
    private readonly requestedModel: string | undefined,
  ) {
    this.context = currentTask();
    this.key = fingerprint(provider, operation, params);
    this.retryOf = this.key === undefined ? undefined : tollgate.lastFailure(this.context, this.key);
  }

  /** The budget guard for this call: undefined to go ahead now, a promise to wait for, or the refusal. */
  guard(): undefined | Promise<void> | BudgetExceededError {
    return this.tollgate.guard(this.context);
  }

  /**
   * A call that returned. Without readable usage (none arrived, or the normaliser could not read it) it is
   * sent as `usage_unknown`: it happened and may have cost money, so it is never reported as zero usage.
   */
  succeed(result: NormalisedUsage | undefined, model?: string): void {
    if (!result) this.emit('usage_unknown', undefined, model, { usage_unknown: 'absent' });
    else if (result.status === 'usage_unknown') this.emit('usage_unknown', undefined, model, { usage_unknown: 'unreadable' });
    else this.emit('success', result, model, undefined);
    if (this.key !== undefined) this.tollgate.rememberFailure(this.context, this.key, undefined);
  }

  /**
   * A failed call: reported with status "error" and whatever usage it had (none: zero requests, the provider
   * did not bill it); usage that arrived but cannot be read makes it `usage_unknown`. Its repeat will be a
   * retry_of it.
   */
  fail(error: unknown, partial?: NormalisedUsage, model?: string): void {
    const id = this.emitFailure(partial, model, describe(error));
    if (id !== undefined && this.key !== undefined) this.tollgate.rememberFailure(this.context, this.key, id);
  }

  /** The agent stopped reading a stream before its end: the provider may still bill it; report what is known. */
  abandon(partial?: NormalisedUsage, model?: string): void {
    this.emitFailure(partial, model, 'stream_abandoned');
  }

  private emitFailure(partial: NormalisedUsage | undefined, model: string | undefined, error: string): string | undefined {
    if (partial?.status === 'usage_unknown') return this.emit('usage_unknown', undefined, model, { error, usage_unknown: 'unreadable' });
    // A failed call that left no usage was not billed by the provider: zero requests, not the default one.
    return this.emit('error', partial ?? { usage: { requests: 0 } }, model, { error });
  }

  private emit(
    status: EventStatus,
    result: NormalisedUsage | undefined,
    model: string | undefined,
    metadata: Record<string, string> | undefined,
  ): string | undefined {
    if (this.done) return undefined;
    this.done = true;
    return this.tollgate.record(
      {
        provider: this.provider,
        model: model ?? this.requestedModel ?? 'unknown',
        usage: result?.usage ?? {},
        cost: result?.cost,
        status,
        retryOf: this.retryOf,
        timestamp: this.startedAt,
        metadata,
      },
      this.context,
    );
  }
}

/** e.g. "500 InternalServerError": the HTTP status and the SDK's error class, short enough for metadata. */
function describe(error: unknown): string {
  const e = error as
    | { status?: unknown; $metadata?: { httpStatusCode?: unknown }; name?: unknown; message?: unknown; constructor?: { name?: string } }
    | undefined;
  const status = e?.status ?? e?.$metadata?.httpStatusCode;
  const className = e?.constructor?.name && e.constructor.name !== 'Object' ? e.constructor.name : undefined;
  const kind = className ?? (typeof e?.name === 'string' ? e.name : undefined);
  const parts = [typeof status === 'number' ? String(status) : undefined, kind];
  const text = parts.filter(Boolean).join(' ') || (typeof e?.message === 'string' ? e.message : String(error));
  return text.slice(0, 200);
}
