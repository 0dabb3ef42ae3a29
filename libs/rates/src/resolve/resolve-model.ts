import { bedrockCardModel } from '../sources/bedrock/parse';
import { DEFAULT_BEDROCK_GEOGRAPHIES, parseBedrockModelId } from './bedrock-id';
import { undatedModel } from './dated-snapshot';

/** Which (provider, model) pairs have rate cards: the RateCache is one. */
export interface RateCatalog {
  has(provider: string, model: string): boolean;
}

export interface ModelRef {
  readonly provider: string;
  readonly model: string;
}

export type ResolveRule = 'alias' | 'exact' | 'provider-prefix' | 'dated-snapshot' | 'bedrock' | 'openrouter-listing';

export type Resolution =
  | { readonly ok: true; readonly provider: string; readonly model: string; readonly rule: ResolveRule }
  | { readonly ok: false; readonly reason: string };

export interface ResolveOptions {
  /** Admin aliases: the model name as sent (lower-cased) -> a rate card. */
  readonly aliases?: ReadonlyMap<string, ModelRef>;
  /** Cross-region profile prefix -> region priced (DEFAULT_BEDROCK_GEOGRAPHIES). */
  readonly bedrockGeographies?: Readonly<Record<string, string>>;
  /** Region of a plain Bedrock id when the event names none. */
  readonly bedrockDefaultRegion?: string;
  /** Price a direct provider id with no card of its own by OpenRouter's listing `<provider>/<model>` (default true). */
  readonly openRouterFallback?: boolean;
}

/** Provider names events use for the same rate cards. */
const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  gemini: 'google',
  'google-ai': 'google',
  vertex: 'vertex_ai',
  aws: 'bedrock',
  'aws-bedrock': 'bedrock',
  'amazon-bedrock': 'bedrock',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  'x-ai': 'xai',
};

export function normalizeProvider(provider: string): string {
  const lower = provider.trim().toLowerCase();
  return PROVIDER_ALIASES[lower] ?? lower;
}

/** Candidate (provider, model) pairs for one name, most specific first. */
function* candidates(provider: string, model: string, options: ResolveOptions): Generator<[string, string, ResolveRule]> {
  if (provider === 'bedrock') {
    // The AWS bulk card of the region the call was priced in comes before LiteLLM's ids (source order).
    const ref = parseBedrockModelId(model);
    const geographies = options.bedrockGeographies ?? DEFAULT_BEDROCK_GEOGRAPHIES;
    const region =
      ref.profile === 'global'
        ? 'global'
        : (ref.region ?? (ref.profile ? geographies[ref.profile] : undefined) ?? options.bedrockDefaultRegion ?? 'us-east-1');
    yield ['bedrock', bedrockCardModel(region, ref.baseId), 'bedrock'];
    yield ['bedrock', model, 'exact'];
    if (ref.profile !== null) yield ['bedrock', `${ref.profile}.${ref.baseId}`, 'bedrock'];
    yield ['bedrock', ref.baseId, 'bedrock'];
    return;
  }
  yield [provider, model, 'exact'];
  const slash = model.indexOf('/');
  if (provider !== 'openrouter' && slash > 0) {
    const rest = model.slice(slash + 1);
    yield [normalizeProvider(model.slice(0, slash)), rest, 'provider-prefix'];
    yield [provider, rest, 'provider-prefix'];
  }
}

/**
 * The rate card an event's (provider, model) is priced with. Order: admin alias; exact, then provider prefix
 * (`openai/gpt-4o`); for Bedrock the bulk card of the id's region (profile prefix -> region) before LiteLLM's
 * ids; the undated name of a dated snapshot (only when the dated id has no card); last, OpenRouter's listing of
 * a direct provider's model. Never throws: an unknown model is a reason for the event to stay `unpriced`.
 */
export function resolveModel(query: ModelRef, catalog: RateCatalog, options: ResolveOptions = {}): Resolution {
  const provider = normalizeProvider(query.provider);
  const model = query.model.trim();
  if (model === '') return { ok: false, reason: 'the event names no model' };
  const alias = options.aliases?.get(model.toLowerCase());
  if (alias !== undefined) {
    if (catalog.has(alias.provider, alias.model)) return { ok: true, ...alias, rule: 'alias' };
    return { ok: false, reason: `alias ${model} points to ${alias.provider}/${alias.model}, which has no rate card` };
  }
  const names = model === model.toLowerCase() ? [model] : [model, model.toLowerCase()];
  for (const name of names) {
    for (const [p, m, rule] of candidates(provider, name, options)) if (catalog.has(p, m)) return { ok: true, provider: p, model: m, rule };
  }
  for (const name of names) {
    const undated = undatedModel(name);
    if (undated === null) continue;
    for (const [p, m] of candidates(provider, undated, options)) {
      if (catalog.has(p, m)) return { ok: true, provider: p, model: m, rule: 'dated-snapshot' };
    }
  }
  if ((options.openRouterFallback ?? true) && provider !== 'openrouter' && provider !== 'bedrock') {
    for (const name of names) {
      const listed = name.includes('/') ? name : `${provider}/${name}`;
      if (catalog.has('openrouter', listed)) return { ok: true, provider: 'openrouter', model: listed, rule: 'openrouter-listing' };
    }
  }
  return { ok: false, reason: `no rate card for provider "${query.provider}" model "${query.model}"` };
}
