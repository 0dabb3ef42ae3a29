import type { ParsedSource } from '../source-errors';
import type { FetchOptions } from './fetch-json';

/** Settings a list source may read (from libs/config; a source that needs a new one adds it there too). */
export interface SourceSettings {
  readonly openRouterBaseUrl?: string;
  readonly liteLlmUrl?: string;
  readonly awsPricingBaseUrl?: string;
  readonly bedrockRegions?: readonly string[];
}

/**
 * A provider list-price source: how a sync fetches and parses it, which providers' own prices it carries, and
 * how its bundled snapshot is built. One of these, registered in ./registry.ts, is all a new source needs
 * besides its folder (parser and spec): docs/architecture.md, "Adding a rate source".
 */
export interface ListSourceDefinition {
  /**
   * Providers it is the first list source for (after overrides), e.g. OpenRouter for provider "openrouter".
   * None: a general source (LiteLLM lists most providers' ids), consulted right after a provider's own source
   * and first for providers that have none.
   */
  readonly firstFor: readonly string[];
  /** Fetch and parse the live listing; `options` carries the sync's deadline. */
  fetch(settings: SourceSettings, options: FetchOptions): Promise<ParsedSource>;
  /** The bundled snapshot (`npm run rates:snapshot`), parsed from a copy of the source in libs/rates/fixtures. */
  readonly snapshot: {
    readonly takenOn: string;
    readonly provenance: string;
    build(readFixture: (path: string) => unknown): ParsedSource;
  };
}
