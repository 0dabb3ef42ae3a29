import type { RateSource } from './rate-card';
import { LIST_SOURCE_REGISTRY, LIST_SOURCES, RATE_SOURCES, type ListSource } from './sources/registry';

/**
 * Which source prices a (provider, model) when several have a card for it: the first in force wins.
 * Overrides always come first; OpenRouter prices provider "openrouter" (LiteLLM also lists OpenRouter ids),
 * the AWS bulk files price "bedrock", LiteLLM prices direct provider ids. The bundled snapshot is not a
 * source of its own: it seeds each source's first versions, so a live version of a source replaces it.
 */
export interface SourceOrder {
  readonly byProvider: Readonly<Record<string, readonly RateSource[]>>;
  readonly otherwise: readonly RateSource[];
}

/**
 * From the registry: for a provider a source is first for, overrides, that source, then the general sources
 * (first for no provider); for any other provider, overrides, the general sources, then the others in
 * registry order.
 */
function defaultOrder(): SourceOrder {
  const general: ListSource[] = LIST_SOURCES.filter((name) => LIST_SOURCE_REGISTRY[name].firstFor.length === 0);
  const byProvider: Record<string, RateSource[]> = {};
  for (const name of LIST_SOURCES)
    for (const provider of LIST_SOURCE_REGISTRY[name].firstFor) byProvider[provider] = ['override', name, ...general];
  return { byProvider, otherwise: ['override', ...general, ...LIST_SOURCES.filter((name) => !general.includes(name))] };
}

export const DEFAULT_SOURCE_ORDER: SourceOrder = defaultOrder();

export function sourcesFor(order: SourceOrder, provider: string): readonly RateSource[] {
  return order.byProvider[provider] ?? order.otherwise;
}

/**
 * Reads an order from configuration text, e.g. `openrouter=override,openrouter,litellm;*=override,litellm`
 * (`*` is every other provider). Unknown sources are refused.
 */
export function parseSourceOrder(text: string): SourceOrder {
  const byProvider: Record<string, RateSource[]> = {};
  let otherwise: RateSource[] = [...DEFAULT_SOURCE_ORDER.otherwise];
  for (const clause of text
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean)) {
    const [provider, list] = clause.split('=').map((s) => s?.trim() ?? '');
    if (!provider || !list) throw new Error(`rate source order: "${clause}" is not provider=source,source`);
    const sources = list.split(',').map((s) => s.trim());
    for (const s of sources)
      if (!(RATE_SOURCES as readonly string[]).includes(s)) throw new Error(`rate source order: unknown source "${s}"`);
    if (provider === '*') otherwise = sources as RateSource[];
    else byProvider[provider] = sources as RateSource[];
  }
  return { byProvider, otherwise };
}
