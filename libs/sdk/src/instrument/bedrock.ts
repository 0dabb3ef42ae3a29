import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tollgate } from '../client';
import { type BedrockTokenUsage, BedrockStreamUsage, normaliseBedrockUsage } from '../normalise/bedrock';
import { BedrockInvokeStreamUsage, normaliseBedrockInvoke } from '../normalise/bedrock-invoke';
import { CallObserver } from './observer';
import { guarded, tapIterable } from './tap';

type Middleware = (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>;

/** The part of a `@aws-sdk/client-bedrock-runtime` client this wraps (structural: never imported). */
export interface BedrockRuntimeLike {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
  /** Present on the real client: reads InvokeModel's token-count response headers (parameters `never`: any stack fits). */
  middlewareStack?: { add(middleware: never, options: never): void };
}

interface CommandInput {
  modelId?: string;
  messages?: unknown;
  body?: unknown;
}

/** The `x-amzn-bedrock-*` headers of the response to the send() running in this async context. */
const responseHeaders = new AsyncLocalStorage<Record<string, string>>();

/** Copies Bedrock's own response headers for the call that asked (see responseHeaders). */
const captureHeaders: Middleware = (next) => async (args) => {
  const result = await next(args);
  const into = responseHeaders.getStore();
  const headers = (result as { response?: { headers?: Record<string, unknown> } } | undefined)?.response?.headers;
  if (into && headers) {
    for (const [name, value] of Object.entries(headers)) {
      const key = name.toLowerCase();
      if (key.startsWith('x-amzn-bedrock-') && typeof value === 'string') into[key] = value;
    }
  }
  return result;
};

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Meters Converse and ConverseStream (usage in the response), and InvokeModel and
 * InvokeModelWithResponseStream (each model family's body: Anthropic, Nova, OpenAI-compatible; else
 * Bedrock's token-count headers or the stream's invocation metrics) sent through a Bedrock runtime client.
 * Other commands pass through. Returns the same client.
 */
export function wrapBedrock<C extends BedrockRuntimeLike>(client: C, tollgate: Tollgate): C {
  const stack = client.middlewareStack as { add(middleware: Middleware, options: object): void } | undefined;
  stack?.add(captureHeaders, { step: 'deserialize', name: 'tollgateBedrockTokenCounts', override: true });
  const send = client.send.bind(client);
  client.send = (command: unknown, ...rest: unknown[]) => {
    const input = (command as { input?: CommandInput } | undefined)?.input;
    const modelId = typeof input?.modelId === 'string' ? input.modelId : undefined;
    const converse = modelId !== undefined && input!.messages !== undefined && !('body' in input!);
    // InvokeModel*: a request body of bytes or text (a bidirectional stream's body is an async iterable).
    const invoke = modelId !== undefined && (typeof input!.body === 'string' || input!.body instanceof Uint8Array);
    if ((!converse && !invoke) || rest.some((arg) => typeof arg === 'function')) return send(command, ...rest);
    const observer = new CallObserver(tollgate, 'bedrock', converse ? 'converse' : 'invoke', input, modelId);
    const headers: Record<string, string> = {};
    return guarded(observer, () =>
      responseHeaders
        .run(headers, () => send(command, ...rest))
        .then(
          (output) => {
            if (converse) observeConverse(output, observer);
            else observeInvoke(output, headers, observer);
            return output;
          },
          (error: unknown) => {
            observer.fail(error);
            throw error;
          },
        ),
    ) as Promise<unknown>;
  };
  return client;
}

function observeConverse(output: unknown, observer: CallObserver): void {
  const out = output as { usage?: BedrockTokenUsage; stream?: AsyncIterable<unknown> };
  if (isAsyncIterable(out?.stream)) {
    const events = out.stream;
    out.stream = { [Symbol.asyncIterator]: tapIterable(() => events[Symbol.asyncIterator](), observer, new BedrockStreamUsage()) };
  } else {
    observer.succeed(out?.usage ? normaliseBedrockUsage(out.usage) : undefined);
  }
}

function observeInvoke(output: unknown, headers: Record<string, string>, observer: CallObserver): void {
  const out = output as { body?: unknown };
  if (isAsyncIterable(out?.body) && !(out.body instanceof Uint8Array)) {
    const events = out.body;
    out.body = { [Symbol.asyncIterator]: tapIterable(() => events[Symbol.asyncIterator](), observer, new BedrockInvokeStreamUsage()) };
    return;
  }
  let body: unknown;
  if (out?.body instanceof Uint8Array) {
    try {
      body = JSON.parse(new TextDecoder().decode(out.body));
    } catch {
      body = undefined; // not JSON (an image, audio): the headers count it
    }
  }
  observer.succeed(normaliseBedrockInvoke(body, headers));
}
