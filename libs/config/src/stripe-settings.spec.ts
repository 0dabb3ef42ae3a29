import { ConfigError, loadConfig } from './config';

describe('Stripe configuration (STRIPE_*)', () => {
  it('is off without a secret key: the push stays off and invoices stay in Tollgate', () => {
    expect(loadConfig({}).stripe).toBeUndefined();
    expect(loadConfig({ STRIPE_API_BASE: 'http://127.0.0.1:12111' }).stripe).toBeUndefined();
  });

  it("talks to Stripe's API by default", () => {
    expect(loadConfig({ STRIPE_SECRET_KEY: 'sk_live_abc123' }).stripe).toEqual({
      secretKey: 'sk_live_abc123',
      apiBase: { protocol: 'https', host: 'api.stripe.com', port: 443 },
      webhookSecret: undefined,
      timeoutMs: 30_000,
    });
  });

  it('splits STRIPE_API_BASE into what the SDK takes (the test server over http)', () => {
    const stripe = loadConfig({
      STRIPE_SECRET_KEY: 'sk_test_demo',
      STRIPE_API_BASE: 'http://127.0.0.1:12111',
      STRIPE_WEBHOOK_SECRET: 'whsec_demo',
      STRIPE_TIMEOUT_SECONDS: '5',
    }).stripe;
    expect(stripe).toEqual({
      secretKey: 'sk_test_demo',
      apiBase: { protocol: 'http', host: '127.0.0.1', port: 12111 },
      webhookSecret: 'whsec_demo',
      timeoutMs: 5000,
    });
  });

  it.each([
    [{ STRIPE_SECRET_KEY: 'pk_test_abc' }, /STRIPE_SECRET_KEY/],
    [{ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_API_BASE: 'ftp://stripe' }, /STRIPE_API_BASE/],
    [{ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_API_BASE: 'http://127.0.0.1:12111/v1' }, /scheme:\/\/host\[:port\] only/],
    [{ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_API_BASE: 'not a url' }, /not a valid URL/],
    [{ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_TIMEOUT_SECONDS: '0' }, /STRIPE_TIMEOUT_SECONDS/],
    [{ STRIPE_WEBHOOK_SECRET: 'secret' }, /STRIPE_WEBHOOK_SECRET/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
