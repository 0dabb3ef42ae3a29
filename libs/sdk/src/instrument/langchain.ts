import type { Tollgate } from '../client';
import { count, minus, normalised, record } from '../normalise/counts';
import type { NormalisedUsage } from '../normalise/openai-chat';
import { CallObserver } from './observer';

/** LangChain's `usage_metadata`: input_tokens and output_tokens include their details (LangChain's convention). */
interface UsageMetadata {
  input_tokens?: number;
  output_tokens?: number;
  input_token_details?: {
    cache_read?: number;
    cache_creation?: number;
    audio?: number;
    ephemeral_5m_input_tokens?: number;
    ephemeral_1h_input_tokens?: number;
  };
  output_token_details?: { reasoning?: number; audio?: number };
}

export function normaliseLangChainUsage(raw: UsageMetadata | null | undefined): NormalisedUsage {
  const u = record(raw) as UsageMetadata;
  const inDetails = record(u.input_token_details) as NonNullable<UsageMetadata['input_token_details']>;
  const outDetails = record(u.output_token_details) as NonNullable<UsageMetadata['output_token_details']>;
  const cacheRead = count(inDetails.cache_read);
  const oneHour = count(inDetails.ephemeral_1h_input_tokens);
  const created = count(inDetails.cache_creation) || count(inDetails.ephemeral_5m_input_tokens) + oneHour;
  const audioIn = count(inDetails.audio);
  const reasoning = count(outDetails.reasoning);
  const audioOut = count(outDetails.audio);
  return normalised({
    input_tokens: minus(count(u.input_tokens), cacheRead, created, audioIn),
    cache_read_tokens: cacheRead,
    cache_write_tokens: minus(created, oneHour),
    cache_write_1h_tokens: Math.min(oneHour, created),
    output_tokens: minus(count(u.output_tokens), reasoning, audioOut),
    reasoning_tokens: reasoning,
    audio_input_tokens: audioIn,
    audio_output_tokens: audioOut,
    images: 0,
    web_searches: 0,
    requests: 0,
  });
}

interface Generation {
  message?: { usage_metadata?: UsageMetadata; response_metadata?: Record<string, unknown> };
}

/** LangChain's LLMResult; generations are read as ChatGenerations (with a message) where they are. */
interface LLMResultLike {
  generations?: ReadonlyArray<ReadonlyArray<object>>;
}

/** LangChain's provider names, as Tollgate's. */
function providerName(lsProvider: unknown): string {
  const name = typeof lsProvider === 'string' ? lsProvider : 'unknown';
  if (name === 'amazon_bedrock' || name === 'bedrock_converse') return 'bedrock';
  if (name.startsWith('google')) return 'google';
  return name;
}

/**
 * A LangChain callback handler (a plain object: @langchain/core is not imported):
 * `model.invoke(messages, { callbacks: [tollgateCallbacks(tollgate)] })` or in the model's constructor.
 * Attribution comes from the enclosing `tollgate.task()`. With the budget guard on, a refused customer's
 * call fails with BudgetExceededError before it is made.
 */
export function tollgateCallbacks(tollgate: Tollgate) {
  const runs = new Map<string, CallObserver>();
  const guardOn = tollgate.guardsCalls;
  const start = async (runId: string, params: unknown, metadata: Record<string, unknown> | undefined): Promise<void> => {
    const observer = new CallObserver(
      tollgate,
      providerName(metadata?.ls_provider),
      'langchain',
      params,
      metadata?.ls_model_name as string | undefined,
    );
    runs.set(runId, observer);
    const verdict = observer.guard();
    if (verdict instanceof Error) {
      runs.delete(runId);
      throw verdict;
    }
    if (verdict)
      await verdict.catch((error: unknown) => {
        runs.delete(runId);
        throw error;
      });
  };
  return {
    // A guard must be able to stop the call, so its errors are raised and the handler awaited.
    raiseError: guardOn,
    awaitHandlers: guardOn,
    handleChatModelStart(
      _llm: unknown,
      messages: unknown,
      runId: string,
      _parent?: string,
      extra?: Record<string, unknown>,
      _tags?: string[],
      metadata?: Record<string, unknown>,
    ) {
      return start(runId, { messages, invocation_params: extra?.invocation_params }, metadata);
    },
    handleLLMStart(
      _llm: unknown,
      prompts: string[],
      runId: string,
      _parent?: string,
      extra?: Record<string, unknown>,
      _tags?: string[],
      metadata?: Record<string, unknown>,
    ) {
      return start(runId, { prompts, invocation_params: extra?.invocation_params }, metadata);
    },
    handleLLMEnd(output: LLMResultLike, runId: string) {
      const observer = runs.get(runId);
      if (!observer) return;
      runs.delete(runId);
      const message = (output.generations?.[0]?.[0] as Generation | undefined)?.message;
      const meta = message?.response_metadata ?? {};
      const model = (meta.model_name ?? meta.model ?? meta.modelId) as string | undefined;
      observer.succeed(message?.usage_metadata ? normaliseLangChainUsage(message.usage_metadata) : undefined, model);
    },
    handleLLMError(error: unknown, runId: string) {
      const observer = runs.get(runId);
      if (!observer) return;
      runs.delete(runId);
      observer.fail(error);
    },
  };
}
