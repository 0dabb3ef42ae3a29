import { SessionSigner } from './session';

const ORG = '11111111-1111-4111-8111-111111111111';
const KEY = '22222222-2222-4222-8222-222222222222';

describe('dashboard session', () => {
  const signer = new SessionSigner('a-secret-of-at-least-32-bytes-0123456789');

  it('reads back what it signed until it expires', () => {
    const cookie = signer.sign(ORG, KEY, 2_000);
    expect(signer.verify(cookie, 1_999)).toMatchObject({ organizationId: ORG, keyId: KEY, expiresAt: 2_000 });
    expect(signer.verify(cookie, 2_000)).toBeNull();
  });

  it('refuses a cookie changed anywhere, or signed under another secret', () => {
    const cookie = signer.sign(ORG, KEY, 2_000);
    const [org, key, exp, mac] = cookie.split('.');
    expect(signer.verify([org, key, '9999999', mac].join('.'), 0)).toBeNull();
    expect(signer.verify([org, ORG, exp, mac].join('.'), 0)).toBeNull();
    expect(signer.verify(`${cookie}x`, 0)).toBeNull();
    expect(signer.verify(new SessionSigner('another-secret-of-at-least-32-bytes-000').sign(ORG, KEY, 2_000), 0)).toBeNull();
    expect(signer.verify('', 0)).toBeNull();
    expect(signer.verify(undefined, 0)).toBeNull();
  });

  it('gives each session its own form token, checked exactly', () => {
    const a = signer.verify(signer.sign(ORG, KEY, 2_000), 0)!;
    const b = signer.verify(signer.sign(ORG, KEY, 3_000), 0)!;
    expect(a.csrf).not.toBe(b.csrf);
    expect(SessionSigner.csrfMatches(a, a.csrf)).toBe(true);
    expect(SessionSigner.csrfMatches(a, b.csrf)).toBe(false);
    expect(SessionSigner.csrfMatches(a, undefined)).toBe(false);
  });
});
