import type { NormalisedUsage } from '../normalise/openai-chat';
import type { CallObserver } from './observer';

/** Collects a stream's usage as its items pass. */
export interface StreamAccumulator<T> {
  model?: string;
  observe(item: T): void;
  result(): NormalisedUsage | undefined;
}

/**
 * Wraps an async iterable so each item is observed on its way to the agent, and the call's event is
 * recorded when the stream ends, fails, or is left unfinished. `hide` filters out items the agent did
 * not ask for (the usage chunk we requested on its behalf).
 */
export function tapIterable<T>(
  source: () => AsyncIterator<T>,
  observer: CallObserver,
  accumulator: StreamAccumulator<T>,
  hide?: (item: T) => boolean,
): () => AsyncGenerator<T> {
  return async function* tapped() {
    let settled = false;
    const iterator = { [Symbol.asyncIterator]: source };
    try {
      for await (const item of iterator) {
        accumulator.observe(item);
        if (!hide?.(item)) yield item;
      }
      settled = true;
      observer.succeed(accumulator.result(), accumulator.model);
    } catch (error) {
      settled = true;
      observer.fail(error, accumulator.result(), accumulator.model);
      throw error;
    } finally {
      if (!settled) observer.abandon(accumulator.result(), accumulator.model);
    }
  };
}

/**
 * Taps a provider SDK's stream object in place, keeping its class and helpers (tee, toReadableStream,
 * controller): the openai and @anthropic-ai/sdk Stream reads items through its `iterator` function.
 */
export function tapStreamObject<T>(
  stream: object,
  observer: CallObserver,
  accumulator: StreamAccumulator<T>,
  hide?: (item: T) => boolean,
): void {
  const s = stream as { iterator?: () => AsyncIterator<T>; [Symbol.asyncIterator]?: () => AsyncIterator<T> };
  if (typeof s.iterator === 'function') {
    s.iterator = tapIterable(s.iterator.bind(s), observer, accumulator, hide);
  } else if (typeof s[Symbol.asyncIterator] === 'function') {
    s[Symbol.asyncIterator] = tapIterable(s[Symbol.asyncIterator]!.bind(s), observer, accumulator, hide);
  }
}

interface ApiPromiseLike<T> extends PromiseLike<T> {
  _thenUnwrap?: <U>(transform: (data: T) => U) => PromiseLike<U>;
  responsePromise?: PromiseLike<unknown>;
}

/**
 * Observes a provider SDK call's promise without changing what the agent gets: with openai's and
 * Anthropic's APIPromise the result stays an APIPromise (`.withResponse()`, `.asResponse()` keep working).
 * onData may replace the data (a tapped stream) and must not throw.
 */
export function observePromise<T>(promise: PromiseLike<T>, observer: CallObserver, onData: (data: T) => T): PromiseLike<T> {
  const api = promise as ApiPromiseLike<T>;
  if (typeof api._thenUnwrap === 'function' && api.responsePromise && typeof api.responsePromise.then === 'function') {
    // The request's own failure (after the provider SDK's internal retries), without reading the body.
    api.responsePromise.then(undefined, (error: unknown) => observer.fail(error));
    return api._thenUnwrap(onData);
  }
  return Promise.resolve(promise).then(onData, (error: unknown) => {
    observer.fail(error);
    throw error;
  });
}

/**
 * Runs the call after the budget guard: at once when the guard's answer is cached, else after it. The
 * deferred result keeps `.withResponse()` / `.asResponse()` where the SDK's promise had them.
 */
export function guarded<T>(observer: CallObserver, call: () => PromiseLike<T>): PromiseLike<T> {
  const verdict = observer.guard();
  if (verdict === undefined) return call();
  if (verdict instanceof Error) return Promise.reject(verdict);
  // Boxed, so the promise chain does not unwrap the SDK's promise before we can reach its helpers.
  const started = verdict.then(() => ({ call: call() }));
  const result = started.then((box) => box.call) as Promise<T> & Record<string, unknown>;
  for (const method of ['withResponse', 'asResponse'] as const) {
    result[method] = () => started.then((box) => (box.call as unknown as Record<string, () => unknown>)[method]());
  }
  return result;
}
