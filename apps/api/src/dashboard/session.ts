import { createHmac, timingSafeEqual } from 'node:crypto';

// The operator dashboard's session (docs/design.md "Operator dashboard"): after an admin key logged in, a cookie
// holding `<organisation id>.<key id>.<expiry ms>.<signature>`, signed with HMAC-SHA256 under a key derived from
// TOLLGATE_SECRET. Never the API key itself; the key is checked again on every request (revoked: the session ends).
// Forms carry a CSRF token derived from the session's signature (and the cookie is SameSite=Strict).

export const SESSION_COOKIE = 'tollgate_dashboard';
/** How long a login lasts. */
export const SESSION_MS = 12 * 3600_000;

export interface Session {
  organizationId: string;
  keyId: string;
  expiresAt: number;
  /** The form token of this session. */
  csrf: string;
}

const b64 = (b: Buffer) => b.toString('base64url');

export class SessionSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    // A key of its own: a session signature is never a valid keyed hash of an API key, nor the reverse.
    this.key = createHmac('sha256', secret).update('tollgate dashboard session v1').digest();
  }

  private mac(text: string): Buffer {
    return createHmac('sha256', this.key).update(text).digest();
  }

  sign(organizationId: string, keyId: string, expiresAt: number): string {
    const body = `${organizationId}.${keyId}.${expiresAt}`;
    return `${body}.${b64(this.mac(body))}`;
  }

  /** The session a cookie value holds, if its signature is ours and it has not expired. */
  verify(value: string | undefined, now: number): Session | null {
    if (value === undefined) return null;
    const parts = value.split('.');
    if (parts.length !== 4 || !/^\d{1,15}$/.test(parts[2])) return null;
    const body = parts.slice(0, 3).join('.');
    const expected = this.mac(body);
    const given = Buffer.from(parts[3], 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const expiresAt = Number(parts[2]);
    if (expiresAt <= now) return null;
    return { organizationId: parts[0], keyId: parts[1], expiresAt, csrf: b64(this.mac(`csrf.${parts[3]}`)) };
  }

  /** Whether a form's token is this session's. */
  static csrfMatches(session: Session, token: unknown): boolean {
    if (typeof token !== 'string') return false;
    const a = Buffer.from(token);
    const b = Buffer.from(session.csrf);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
