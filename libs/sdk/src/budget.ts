import { BudgetExceededError, type Entitlement } from './errors';

export interface BudgetGuardOptions {
  /** How long an answer is reused: at most one entitlement request per customer per this many ms. Default 5000. */
  cacheMs?: number;
  /** When the entitlement cannot be read (network, 5xx): allow the call (default) or refuse it. */
  failOpen?: boolean;
}

interface GuardConfig {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  timeoutMs: number;
}

interface CacheEntry {
  at: number;
  entitlement?: Entitlement;
  pending?: Promise<Entitlement | undefined>;
}

/** The cap on remembered customers: the cache must not grow with an unbounded customer base. */
const MAX_CUSTOMERS = 10_000;

/**
 * Before a model call: may this customer spend more? Answers come from `GET /v1/customers/{id}/entitlement`,
 * cached per customer, and concurrent checks share one request.
 */
export class BudgetGuard {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheMs: number;
  private readonly failOpen: boolean;

  constructor(
    private readonly config: GuardConfig,
    options: BudgetGuardOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 5_000;
    this.failOpen = options.failOpen ?? true;
  }

  /**
   * The cached verdict, without waiting: `true` allowed, a BudgetExceededError if refused, `undefined`
   * when a request is needed (then call `check`).
   */
  cached(customer: string, now = Date.now()): true | BudgetExceededError | undefined {
    const entry = this.cache.get(customer);
    if (!entry || entry.pending || now - entry.at >= this.cacheMs) return undefined;
    return this.verdict(customer, entry.entitlement);
  }

  async check(customer: string): Promise<void> {
    const verdict = this.verdict(customer, await this.entitlement(customer));
    if (verdict !== true) throw verdict;
  }

  private verdict(customer: string, entitlement: Entitlement | undefined): true | BudgetExceededError {
    if (entitlement === undefined) {
      return this.failOpen
        ? true
        : new BudgetExceededError(customer, 'entitlement_unavailable', { allowed: false, reason: 'entitlement_unavailable' });
    }
    return entitlement.allowed ? true : new BudgetExceededError(customer, entitlement.reason, entitlement);
  }

  private entitlement(customer: string): Promise<Entitlement | undefined> {
    const now = Date.now();
    const entry = this.cache.get(customer);
    if (entry?.pending) return entry.pending;
    if (entry && now - entry.at < this.cacheMs) return Promise.resolve(entry.entitlement);
    const pending = this.fetchEntitlement(customer).then((entitlement) => {
      this.cache.set(customer, { at: Date.now(), entitlement });
      return entitlement;
    });
    this.cache.delete(customer);
    if (this.cache.size >= MAX_CUSTOMERS) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(customer, { at: now, pending });
    return pending;
  }

  /** undefined: unknown (network or server error). A customer Tollgate has not seen yet (404) has spent nothing. */
  private async fetchEntitlement(customer: string): Promise<Entitlement | undefined> {
    try {
      const response = await this.config.fetch(`${this.config.baseUrl}/v1/customers/${encodeURIComponent(customer)}/entitlement`, {
        headers: { authorization: `Bearer ${this.config.apiKey}` },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      if (response.status === 404) return { allowed: true };
      if (!response.ok) return undefined;
      const body = (await response.json()) as Entitlement;
      return typeof body?.allowed === 'boolean' ? body : undefined;
    } catch {
      return undefined;
    }
  }
}
