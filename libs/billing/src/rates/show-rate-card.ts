import { Injectable } from '@nestjs/common';
import { RateBook, type RateVersion, type Resolution } from '@tollgate/rates';
import { InvalidCommandError, NotFoundError } from '../errors';

export interface ShowRateCardQuery {
  organizationId: string;
  /** Optional: a model with a provider prefix, or one only a single provider lists, is found without it. */
  provider?: string;
  model: string;
}

export interface RateCardHistory {
  provider: string;
  model: string;
  current: RateVersion | null;
  /** Newest first; on the same instant, the override before list sources. */
  versions: RateVersion[];
}

const SOURCE_RANK: Record<string, number> = { override: 0 };

function byEffectiveDesc(a: RateVersion, b: RateVersion): number {
  return b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || (SOURCE_RANK[a.source] ?? 1) - (SOURCE_RANK[b.source] ?? 1);
}

/** The card an event of this (provider, model) is priced with, its version in force now and its history. */
@Injectable()
export class ShowRateCard {
  constructor(private readonly book: RateBook) {}

  execute({ organizationId, provider, model }: ShowRateCardQuery): RateCardHistory {
    const resolution = provider ? this.book.resolve(organizationId, provider, model) : this.resolveWithoutProvider(organizationId, model);
    if (!resolution.ok) throw new NotFoundError(resolution.reason);
    return {
      provider: resolution.provider,
      model: resolution.model,
      current: this.book.inForce(organizationId, resolution.provider, resolution.model, Date.now()),
      versions: this.book.history(organizationId, resolution.provider, resolution.model).sort(byEffectiveDesc),
    };
  }

  /** `?model=` alone: a name with a provider prefix (`openai/gpt-4o`), or one only a single provider lists. */
  private resolveWithoutProvider(organizationId: string, model: string): Resolution {
    const slash = model.indexOf('/');
    if (slash > 0) return this.book.resolve(organizationId, model.slice(0, slash), model);
    const cards = new Map<string, Resolution & { ok: true }>();
    for (const provider of this.book.providers) {
      const r = this.book.resolve(organizationId, provider, model);
      if (r.ok && r.rule !== 'openrouter-listing') cards.set(`${r.provider}/${r.model}`, r);
    }
    if (cards.size === 1) return [...cards.values()][0]!;
    if (cards.size === 0) return { ok: false, reason: `no rate card for model "${model}"` };
    throw new InvalidCommandError(
      `several providers list model "${model}": pass provider= (one of ${[...cards.values()].map((c) => c.provider).join(', ')})`,
    );
  }
}
