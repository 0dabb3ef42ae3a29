import { ConfigError } from '@tollgate/config';
import { bedrockSource } from './bedrock/source';
import { liteLlmSource } from './litellm/source';
import type { ListSourceDefinition } from './list-source';
import { openRouterSource } from './openrouter/source';

/**
 * Every provider list-price source by name (its name in RATE_SOURCES, RATE_SOURCE_ORDER, rate cards' `source`
 * and libs/rates/snapshot/<name>.json). Their order here is the order they are seeded and listed in, and,
 * after the general sources, the order they price providers no source is first for (source-order.ts).
 * Adding a source is one entry here plus its folder (docs/architecture.md, "Adding a rate source").
 */
export const LIST_SOURCE_REGISTRY = {
  openrouter: openRouterSource,
  bedrock: bedrockSource,
  litellm: liteLlmSource,
} as const satisfies Record<string, ListSourceDefinition>;

export type ListSource = keyof typeof LIST_SOURCE_REGISTRY;
/** Where a rate card comes from: a list source, or `override` (an organisation's negotiated prices). */
export type RateSource = 'override' | ListSource;

export const LIST_SOURCES = Object.keys(LIST_SOURCE_REGISTRY) as ListSource[];
export const RATE_SOURCES: readonly RateSource[] = ['override', ...LIST_SOURCES];

export function isListSource(name: string): name is ListSource {
  return Object.hasOwn(LIST_SOURCE_REGISTRY, name);
}

/** RATE_SOURCES checked against the registry (libs/config checks only its shape: it does not know the sources). */
export function listSourcesOf(config: { rateSources?: readonly string[] }): ListSource[] {
  const names = config.rateSources ?? LIST_SOURCES;
  const unknown = names.filter((s) => !isListSource(s));
  if (unknown.length > 0) throw new ConfigError(`RATE_SOURCES: unknown ${unknown.join(', ')} (known: ${LIST_SOURCES.join(', ')})`);
  return names.filter(isListSource);
}
