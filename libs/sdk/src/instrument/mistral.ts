import type { Tollgate } from '../client';
import { type MistralUsage, MistralStreamUsage, normaliseMistralUsage } from '../normalise/mistral';
import { CallObserver } from './observer';
import { guarded, observePromise, tapStreamObject } from './tap';

type Call = (request: Record<string, unknown>, options?: unknown) => Promise<unknown>;

/** The part of a `@mistralai/mistralai` client this wraps (structural: the package is never imported). */
export interface MistralLike {
  chat: {
    complete(request: never, options?: never): Promise<unknown>;
    stream(request: never, options?: never): Promise<unknown>;
  };
}

function wrapCall(chat: Record<string, unknown>, method: string, tollgate: Tollgate, streamed: boolean): void {
  if (typeof chat[method] !== 'function') return;
  const call = (chat[method] as Call).bind(chat);
  chat[method] = (request: Record<string, unknown>, options?: unknown) => {
    const observer = new CallObserver(
      tollgate,
      'mistral',
      `chat.${streamed ? 'stream' : 'complete'}`,
      request,
      request?.model as string | undefined,
    );
    return guarded(observer, () =>
      observePromise(call(request, options), observer, (data) => {
        if (streamed) {
          tapStreamObject(data as object, observer, new MistralStreamUsage());
        } else {
          const response = data as { model?: string; usage?: MistralUsage };
          observer.succeed(response?.usage ? normaliseMistralUsage(response.usage) : undefined, response?.model);
        }
        return data;
      }),
    );
  };
}

/**
 * Meters a Mistral client's chat calls: `chat.complete` and `chat.parse`, `chat.stream` and
 * `chat.parseStream` (read the stream with `for await`). Returns the same client.
 */
export function wrapMistral<C extends MistralLike>(client: C, tollgate: Tollgate): C {
  // `chat` is a lazy getter that keeps one instance: its methods are replaced on that instance.
  const chat = client.chat as unknown as Record<string, unknown>;
  wrapCall(chat, 'complete', tollgate, false);
  wrapCall(chat, 'parse', tollgate, false);
  wrapCall(chat, 'stream', tollgate, true);
  wrapCall(chat, 'parseStream', tollgate, true);
  return client;
}
