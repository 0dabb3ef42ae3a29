import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import OpenAI from 'openai';
import { startRig, type Rig } from '../../test/harness';
import { normaliseLangChainUsage, tollgateCallbacks } from './langchain';

/**
 * A chat model the way @langchain/openai's ChatOpenAI builds its result: a real openai call (to the fake
 * LLM), its usage turned into LangChain's usage_metadata, and ls_provider / ls_model_name for tracing.
 */
class OpenAIChat extends BaseChatModel {
  constructor(private readonly client: OpenAI) {
    super({});
  }

  _llmType(): string {
    return 'openai';
  }

  override getLsParams(options: this['ParsedCallOptions']) {
    return { ...super.getLsParams(options), ls_provider: 'openai', ls_model_name: 'gpt-4o-mini' };
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const completion = await this.client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: messages.map((m) => ({ role: 'user' as const, content: m.text })),
    });
    const usage = completion.usage!;
    const message = new AIMessage({
      content: completion.choices[0].message.content ?? '',
      response_metadata: { model_name: completion.model },
      usage_metadata: {
        input_tokens: usage.prompt_tokens,
        output_tokens: usage.completion_tokens,
        total_tokens: usage.total_tokens,
        input_token_details: { cache_read: usage.prompt_tokens_details?.cached_tokens },
        output_token_details: { reasoning: usage.completion_tokens_details?.reasoning_tokens },
      },
    });
    return { generations: [{ text: message.text, message }] };
  }
}

describe('tollgateCallbacks with the real @langchain/core', () => {
  let rig: Rig;

  afterEach(() => rig.close());

  it('meters a chat model call inside a task', async () => {
    rig = await startRig();
    const model = new OpenAIChat(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }));
    const reply = await rig.tollgate.task('research', { customer: 'stark', feature: 'agent' }, () =>
      model.invoke('Find the invoice', { callbacks: [tollgateCallbacks(rig.tollgate)] }),
    );
    expect(reply.text).toContain('fake');
    const [event] = await rig.events();
    expect(event).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      external_customer_id: 'stark',
      feature: 'agent',
      status: 'success',
      usage: { input_tokens: 176, cache_read_tokens: 1024, output_tokens: 212, reasoning_tokens: 128 },
      metadata: { task_name: 'research' },
    });
  });

  it('reports a failed call as an error', async () => {
    rig = await startRig({ customer: 'stark' });
    rig.llm.failNext({ status: 500 });
    const model = new OpenAIChat(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }));
    await expect(model.invoke('Find the invoice', { callbacks: [tollgateCallbacks(rig.tollgate)] })).rejects.toThrow();
    const [event] = await rig.events();
    expect(event).toMatchObject({ status: 'error', model: 'gpt-4o-mini', usage: { requests: 0 } });
  });

  it('with the budget guard on, a refused customer never reaches the model', async () => {
    rig = await startRig({ customer: 'broke', budgetGuard: true });
    rig.ingest.entitlements.set('broke', { allowed: false, reason: 'credits_exhausted' });
    const model = new OpenAIChat(new OpenAI({ apiKey: 'sk-fake', baseURL: rig.llm.openaiBaseUrl, maxRetries: 0 }));
    await expect(model.invoke('Hi', { callbacks: [tollgateCallbacks(rig.tollgate)] })).rejects.toMatchObject({
      name: 'BudgetExceededError',
    });
    expect(rig.llm.requests).toHaveLength(0);
  });

  it("reads LangChain's inclusive usage_metadata into disjoint dimensions", () => {
    const anthropicLike = {
      input_tokens: 4525,
      output_tokens: 410,
      input_token_details: { cache_read: 3000, cache_creation: 1500, ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
    };
    expect(normaliseLangChainUsage(anthropicLike).usage).toEqual({
      input_tokens: 25,
      cache_read_tokens: 3000,
      cache_write_tokens: 1000,
      cache_write_1h_tokens: 500,
      output_tokens: 410,
    });
  });
});
