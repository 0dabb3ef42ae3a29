import type { Tollgate } from '../client';
import { type ChatCompletionUsage, ChatCompletionStreamUsage, normaliseChatCompletionUsage } from '../normalise/openai-chat';
import { normaliseResponse, type ResponsesResult, ResponsesStreamUsage } from '../normalise/openai-responses';
import { CallObserver } from './observer';
import { guarded, observePromise, tapStreamObject } from './tap';

/** A provider SDK's `create`, whatever its overloads (parameters typed `never`: any such method fits). */
export interface Creatable {
  create(params: never, options?: never): PromiseLike<unknown>;
}

/** How this module calls and replaces `create`. */
export type Create = (params: Record<string, unknown>, options?: unknown) => PromiseLike<unknown>;

/** The parts of an `openai` client this wraps (structural: the package is never imported). */
export interface OpenAILike {
  baseURL?: string;
  chat: { completions: Creatable };
  responses?: Creatable;
}

export interface WrapOpenAIOptions {
  /** Default: "openrouter" when the client's baseURL is OpenRouter's, else "openai". */
  provider?: string;
  /**
   * Streams report usage only with `stream_options.include_usage`; ask for it when the agent did not
   * (and keep the extra usage chunk from the agent). Default true.
   */
  requestStreamUsage?: boolean;
}

/**
 * Meters every Chat Completions and Responses call of an OpenAI client (also OpenRouter and other
 * OpenAI-compatible servers), streamed or not, including the SDK's helpers built on them
 * (`.parse()`, `.stream()`, `.runTools()`). Returns the same client.
 */
export function wrapOpenAI<C extends OpenAILike>(client: C, tollgate: Tollgate, options: WrapOpenAIOptions = {}): C {
  const provider = options.provider ?? (/openrouter\.ai/i.test(client.baseURL ?? '') ? 'openrouter' : 'openai');
  const requestStreamUsage = options.requestStreamUsage ?? true;
  const completions = client.chat.completions as unknown as { create: Create };
  const createCompletion = completions.create.bind(completions);
  completions.create = (params, requestOptions) => {
    const observer = new CallObserver(tollgate, provider, 'chat.completions', params, params.model as string | undefined);
    const streamOptions = params.stream_options as { include_usage?: boolean } | undefined;
    const injected = params.stream === true && requestStreamUsage && streamOptions?.include_usage === undefined;
    const sent = injected ? { ...params, stream_options: { ...streamOptions, include_usage: true } } : params;
    return guarded(observer, () =>
      observePromise(createCompletion(sent, requestOptions), observer, (data) => {
        if (params.stream === true) {
          type Chunk = Parameters<ChatCompletionStreamUsage['observe']>[0] & { choices?: unknown[] };
          const hide = injected ? (chunk: Chunk) => Array.isArray(chunk.choices) && chunk.choices.length === 0 : undefined;
          tapStreamObject<Chunk>(data as object, observer, new ChatCompletionStreamUsage(), hide);
        } else {
          const completion = data as { model?: string; usage?: ChatCompletionUsage | null };
          observer.succeed(completion?.usage ? normaliseChatCompletionUsage(completion.usage) : undefined, completion?.model);
        }
        return data;
      }),
    );
  };
  const responses = client.responses as unknown as { create: Create } | undefined;
  if (responses && typeof responses.create === 'function') {
    const createResponse = responses.create.bind(responses);
    responses.create = (params, requestOptions) => {
      const observer = new CallObserver(tollgate, provider, 'responses', params, params.model as string | undefined);
      return guarded(observer, () =>
        observePromise(createResponse(params, requestOptions), observer, (data) => {
          if (params.stream === true) {
            tapStreamObject(data as object, observer, new ResponsesStreamUsage());
          } else {
            const response = data as ResponsesResult;
            observer.succeed(response?.usage ? normaliseResponse(response) : undefined, response?.model);
          }
          return data;
        }),
      );
    };
  }
  return client;
}
