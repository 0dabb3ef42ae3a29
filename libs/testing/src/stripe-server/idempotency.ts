import { StripeApiError } from './errors';

// Stripe's idempotency (https://docs.stripe.com/api/idempotent_requests): a POST's first result is saved under
// its key for 24 hours, per account and mode (here: per API key and Stripe-Account); the same key with the
// same parameters replays it (`Idempotent-Replayed: true`), with other parameters or on another endpoint it is
// a 400 idempotency_error.

export interface SavedResponse {
  status: number;
  body: string;
  requestId: string;
}

interface Entry extends SavedResponse {
  endpoint: string;
  fingerprint: string;
  savedAt: number;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const MAX_KEY_LENGTH = 255;

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly nowMs: () => number) {}

  /** The saved response to replay, undefined for a first use; throws for a key reused differently. */
  lookup(scope: string, key: string, endpoint: string, fingerprint: string): SavedResponse | undefined {
    if (key.length > MAX_KEY_LENGTH) {
      throw new StripeApiError(400, 'invalid_request_error', `Invalid idempotency_key: must be at most ${MAX_KEY_LENGTH} characters long.`);
    }
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (!entry || this.nowMs() - entry.savedAt >= IDEMPOTENCY_TTL_MS) return undefined;
    if (entry.endpoint !== endpoint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used for the same endpoint they were first used for ('${entry.endpoint}' vs '${endpoint}'). Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    if (entry.fingerprint !== fingerprint) {
      throw new StripeApiError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    }
    return entry;
  }

  save(scope: string, key: string, endpoint: string, fingerprint: string, response: SavedResponse): void {
    this.entries.set(`${scope}\u0000${key}`, { ...response, endpoint, fingerprint, savedAt: this.nowMs() });
  }

  /** As if 24 hours had passed: every key may be used afresh. */
  expireAll(): void {
    this.entries.clear();
  }
}
