import type { Tollgate } from '../client';
import { type BedrockTokenUsage, BedrockStreamUsage, normaliseBedrockUsage } from '../normalise/bedrock';
import { CallObserver } from './observer';
import { guarded, tapIterable } from './tap';

/** The part of a `@aws-sdk/client-bedrock-runtime` client this wraps (structural: never imported). */
export interface BedrockRuntimeLike {
  send(command: unknown, ...rest: unknown[]): Promise<unknown>;
}

interface ConverseInput {
  modelId?: string;
  messages?: unknown;
}

/**
 * Meters Converse and ConverseStream commands sent through a Bedrock runtime client. Other commands
 * (InvokeModel and friends, whose bodies are each model's own format) pass through unmetered.
 * Returns the same client.
 */
export function wrapBedrock<C extends BedrockRuntimeLike>(client: C, tollgate: Tollgate): C {
  const send = client.send.bind(client);
  client.send = (command: unknown, ...rest: unknown[]) => {
    const input = (command as { input?: ConverseInput } | undefined)?.input;
    const converse = typeof input?.modelId === 'string' && input.messages !== undefined && !('body' in input);
    if (!converse || rest.some((arg) => typeof arg === 'function')) return send(command, ...rest);
    const observer = new CallObserver(tollgate, 'bedrock', 'converse', input, input.modelId);
    return guarded(observer, () =>
      send(command, ...rest).then(
        (output) => {
          const out = output as { usage?: BedrockTokenUsage; stream?: AsyncIterable<unknown> };
          if (out?.stream && typeof out.stream[Symbol.asyncIterator] === 'function') {
            const events = out.stream;
            out.stream = { [Symbol.asyncIterator]: tapIterable(() => events[Symbol.asyncIterator](), observer, new BedrockStreamUsage()) };
          } else {
            observer.succeed(out?.usage ? normaliseBedrockUsage(out.usage) : undefined);
          }
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
