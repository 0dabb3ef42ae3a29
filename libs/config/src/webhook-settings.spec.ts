import { ConfigError, loadConfig } from './config';

describe('webhook configuration (WEBHOOK_*)', () => {
  it('has defaults: a 10 s deadline, 16 at once, retries from 30 s doubling up to an hour', () => {
    expect(loadConfig({}).webhooks).toEqual({ timeoutMs: 10_000, concurrency: 16, retryBaseMs: 30_000, retryMaxDelayMs: 3_600_000 });
  });

  it('takes a fractional retry base, so tests retry in milliseconds', () => {
    expect(loadConfig({ WEBHOOK_RETRY_BASE_SECONDS: '0.2', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '1' }).webhooks).toMatchObject({
      retryBaseMs: 200,
      retryMaxDelayMs: 1000,
    });
  });

  it.each([
    [{ WEBHOOK_TIMEOUT_SECONDS: '0' }, /WEBHOOK_TIMEOUT_SECONDS/],
    [{ WEBHOOK_TIMEOUT_SECONDS: '1.5' }, /WEBHOOK_TIMEOUT_SECONDS/],
    [{ WEBHOOK_CONCURRENCY: 'many' }, /WEBHOOK_CONCURRENCY/],
    [{ WEBHOOK_RETRY_BASE_SECONDS: '-1' }, /WEBHOOK_RETRY_BASE_SECONDS/],
    [{ WEBHOOK_RETRY_BASE_SECONDS: '0' }, /WEBHOOK_RETRY_BASE_SECONDS/],
    [{ WEBHOOK_RETRY_BASE_SECONDS: '60', WEBHOOK_RETRY_MAX_DELAY_SECONDS: '30' }, /WEBHOOK_RETRY_MAX_DELAY_SECONDS/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
