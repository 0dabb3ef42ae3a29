import type { RateCard } from './rate-card';

/** A source answered with something that is not its documented shape (truncated JSON, wrong type, empty list). */
export class MalformedSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedSourceError';
  }
}

/** A source could not be fetched: HTTP error status, timeout or network failure. */
export class SourceFetchError extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'network',
  ) {
    super(message);
    this.name = 'SourceFetchError';
  }
}

/** One entry of a source that cannot become a rate card; the parser records it as skipped and goes on. */
export class UnusableEntryError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnusableEntryError';
  }
}

/** What a parser did not turn into a rate card, and why: reported, never silently dropped. */
export interface SkippedEntry {
  readonly id: string;
  readonly reason: string;
}

export interface ParsedSource {
  readonly cards: RateCard[];
  readonly skipped: SkippedEntry[];
}
