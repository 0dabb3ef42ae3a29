import type { RateVersion } from '@tollgate/rates';

/** What pricing needs of the rate book: the rate card version in force for an event, or why there is none. */
export interface RateLookup {
  lookup(
    organizationId: string,
    provider: string,
    model: string,
    at: number,
  ): { ok: true; version: RateVersion } | { ok: false; reason: string };
  /** Changes whenever a rate, override or alias changes. */
  readonly generation: number;
  /** Reloads if the database has changes this process has not seen (one cheap query otherwise). */
  refresh(): Promise<boolean>;
}

export const RATE_LOOKUP = Symbol('rateLookup');
