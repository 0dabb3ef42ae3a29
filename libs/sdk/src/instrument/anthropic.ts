import type { Tollgate } from '../client';
import { type AnthropicUsage, AnthropicStreamUsage, normaliseAnthropicUsage } from '../normalise/anthropic';
import { CallObserver } from './observer';
import type { Create, Creatable } from './openai';
import { guarded, observePromise, tapStreamObject } from './tap';

/** The parts of an `@anthropic-ai/sdk` client this wraps (structural: the package is never imported). */
export interface AnthropicLike {
  messages: Creatable;
  beta?: { messages?: Creatable };
}

function wrapCreate(creatable: Creatable, tollgate: Tollgate, provider: string): void {
  const resource = creatable as unknown as { create: Create };
  const create = resource.create.bind(resource);
  resource.create = (params, requestOptions) => {
    const observer = new CallObserver(tollgate, provider, 'messages', params, params.model as string | undefined);
    return guarded(observer, () =>
      observePromise(create(params, requestOptions), observer, (data) => {
        if (params.stream === true) {
          tapStreamObject(data as object, observer, new AnthropicStreamUsage());
        } else {
          const message = data as { model?: string; usage?: AnthropicUsage };
          observer.succeed(message?.usage ? normaliseAnthropicUsage(message.usage) : undefined, message?.model);
        }
        return data;
      }),
    );
  };
}

/**
 * Meters every Messages call of an Anthropic client, streamed or not, including `messages.stream()`
 * and `messages.parse()`, and the beta namespace. Returns the same client.
 */
export function wrapAnthropic<C extends AnthropicLike>(client: C, tollgate: Tollgate, options: { provider?: string } = {}): C {
  const provider = options.provider ?? 'anthropic';
  wrapCreate(client.messages, tollgate, provider);
  if (client.beta?.messages && typeof client.beta.messages.create === 'function') wrapCreate(client.beta.messages, tollgate, provider);
  return client;
}
