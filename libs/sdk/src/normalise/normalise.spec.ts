// The mapping of each provider shape is in the shared test vectors (vectors.spec.ts); here, what they do
// not carry: the model a stream reports, and a stream with no usage at all (undefined, not unknown: a
// failed call that left no usage is reported with zero requests, not as unreadable usage).
import { AnthropicStreamUsage } from './anthropic';
import { BedrockStreamUsage } from './bedrock';
import { GeminiStreamUsage } from './gemini';
import { ChatCompletionStreamUsage } from './openai-chat';
import { ResponsesStreamUsage } from './openai-responses';

describe('stream accumulators', () => {
  it('report the model the stream names', () => {
    const chat = new ChatCompletionStreamUsage();
    chat.observe({ model: 'gpt-4o-mini-2024-07-18', usage: null });
    expect(chat.model).toBe('gpt-4o-mini-2024-07-18');
    const responses = new ResponsesStreamUsage();
    responses.observe({ type: 'response.created', response: { model: 'gpt-4.1', usage: null } });
    expect(responses.model).toBe('gpt-4.1');
    const anthropic = new AnthropicStreamUsage();
    anthropic.observe({ type: 'message_start', message: { model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 1 } } });
    expect(anthropic.model).toBe('claude-sonnet-4-5-20250929');
    const gemini = new GeminiStreamUsage();
    gemini.observe({ model_version: 'gemini-2.5-flash' });
    expect(gemini.model).toBe('gemini-2.5-flash');
  });

  it('have no result before any usage arrived', () => {
    for (const acc of [
      new ChatCompletionStreamUsage(),
      new ResponsesStreamUsage(),
      new AnthropicStreamUsage(),
      new GeminiStreamUsage(),
      new BedrockStreamUsage(),
    ]) {
      expect(acc.result()).toBeUndefined();
    }
  });

  it('flag usage that arrived but cannot be read', () => {
    const chat = new ChatCompletionStreamUsage();
    chat.observe({ usage: { total_tokens: 20 } as never });
    expect(chat.result()).toEqual({ usage: {}, status: 'usage_unknown' });
  });
});
