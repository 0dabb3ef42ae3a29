import { ConfigError, loadConfig } from './config';

describe('TOLLGATE_SECRET', () => {
  it('is optional (the worker hashes no key) and at least 32 bytes when set', () => {
    expect(loadConfig({}).secret).toBeUndefined();
    expect(loadConfig({ TOLLGATE_SECRET: 'x'.repeat(32) }).secret).toBe('x'.repeat(32));
    expect(() => loadConfig({ TOLLGATE_SECRET: 'x'.repeat(31) })).toThrow(/TOLLGATE_SECRET must be at least 32 bytes/);
  });
});

describe('API keys and authentication', () => {
  it('defaults to a 24 h rotation grace and 30 failed authentications a minute', () => {
    expect(loadConfig({})).toMatchObject({ keyRotationGraceMs: 86_400_000, authFailuresPerMinute: 30, trustProxy: false });
    expect(loadConfig({ API_KEY_ROTATION_GRACE_SECONDS: '0' }).keyRotationGraceMs).toBe(0);
    expect(() => loadConfig({ AUTH_FAILURES_PER_MINUTE: '0' })).toThrow(ConfigError);
  });

  it('reads TRUST_PROXY as a flag, a hop count or addresses', () => {
    expect(loadConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1']);
    expect(() => loadConfig({ TRUST_PROXY: 'the load balancer' })).toThrow(/TRUST_PROXY must be/);
  });
});

describe('HTTP server timeouts', () => {
  it('default to 30 s per request, 10 s for headers, 72 s keep-alive and 300 s idle', () => {
    expect(loadConfig({}).http).toEqual({ requestMs: 30_000, headersMs: 10_000, keepAliveMs: 72_000, idleMs: 300_000 });
  });

  it('refuse a headers timeout longer than the request timeout (Node would)', () => {
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_SECONDS: '5', HTTP_HEADERS_TIMEOUT_SECONDS: '10' })).toThrow(
      /HTTP_HEADERS_TIMEOUT_SECONDS must be at most/,
    );
    expect(() => loadConfig({ HTTP_IDLE_TIMEOUT_SECONDS: '0' })).toThrow(ConfigError);
  });
});

describe('METRICS_TOKEN', () => {
  it('is optional, and a token of at least 16 printable characters when set', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'scrape-0123456789' }).metricsToken).toBe('scrape-0123456789');
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN/);
    expect(() => loadConfig({ METRICS_TOKEN: 'has a space in it 0123' })).toThrow(/METRICS_TOKEN/);
  });
});

describe('PUBLIC_URL', () => {
  it('is the base of portal links, without a trailing slash; unset by default', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://billing.example.com/' }).publicUrl).toBe('https://billing.example.com');
    expect(loadConfig({ PUBLIC_URL: 'https://example.com/tollgate/' }).publicUrl).toBe('https://example.com/tollgate');
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://x' })).toThrow(/PUBLIC_URL must be an http\(s\) URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL is not a valid URL/);
  });
});

describe('ENTITLEMENT_REFRESH_MS', () => {
  it('defaults to a round a second, and is a positive integer of milliseconds', () => {
    expect(loadConfig({}).entitlementRefreshMs).toBe(1000);
    expect(loadConfig({ ENTITLEMENT_REFRESH_MS: '250' }).entitlementRefreshMs).toBe(250);
    expect(() => loadConfig({ ENTITLEMENT_REFRESH_MS: '0' })).toThrow(/ENTITLEMENT_REFRESH_MS must be an integer of at least 1, got "0"/);
    expect(() => loadConfig({ ENTITLEMENT_REFRESH_MS: '1.5' })).toThrow(ConfigError);
  });
});
