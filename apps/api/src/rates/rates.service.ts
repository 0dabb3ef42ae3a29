import { HttpStatus, Injectable } from '@nestjs/common';
import { Repricer } from '@tollgate/billing';
import { RatesRepository } from '@tollgate/db';
import { cardToRow, normalizeProvider, RateBook, rateCardFromJson, SyncRates, versionFromRow, type RateVersion, type Resolution } from '@tollgate/rates';
import { ApiError } from '../common/api-error';
import type { z } from 'zod';
import { readAliasTarget, readOverride } from './rate-input';
import type { AliasRequest, OverrideRequest } from './rate.schema';
import { toApiSync, toApiVersion } from './rates-json';

const SOURCE_RANK: Record<string, number> = { override: 0 };

/** Newest first; on the same instant, the override before list sources. */
function byEffectiveDesc(a: RateVersion, b: RateVersion): number {
  return b.effectiveFrom.getTime() - a.effectiveFrom.getTime() || (SOURCE_RANK[a.source] ?? 1) - (SOURCE_RANK[b.source] ?? 1);
}

/** Rates (API.md "Rates"): history of a card, syncs and their approval, overrides, aliases. */
@Injectable()
export class RatesService {
  constructor(
    private readonly book: RateBook,
    private readonly repo: RatesRepository,
    private readonly syncRates: SyncRates,
    private readonly repricer: Repricer,
  ) {}

  /** The card an event of this (provider, model) is priced with, its version in force now and its history. */
  get(organizationId: string, provider: string | undefined, model: string) {
    const resolution = provider ? this.book.resolve(organizationId, provider, model) : this.resolveWithoutProvider(organizationId, model);
    if (!resolution.ok) throw new ApiError(HttpStatus.NOT_FOUND, 'not_found', resolution.reason);
    const current = this.book.inForce(organizationId, resolution.provider, resolution.model, Date.now());
    return {
      provider: resolution.provider,
      model: resolution.model,
      current_version_id: current?.id ?? null,
      versions: this.book.history(organizationId, resolution.provider, resolution.model).sort(byEffectiveDesc).map(toApiVersion),
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
    throw ApiError.invalidRequest(`several providers list model "${model}": pass provider= (one of ${[...cards.values()].map((c) => c.provider).join(', ')})`);
  }

  async sync() {
    return toApiSync(await this.syncRates.run());
  }

  async approve(id: string) {
    const result = await this.syncRates.approve(id);
    if (result.ok) return toApiSync(result.sync);
    if (result.reason === 'not_found') throw ApiError.notFound(`rate sync ${id}`);
    throw new ApiError(HttpStatus.CONFLICT, 'sync_not_held', `rate sync ${id} is ${result.sync!.status}, not held: nothing to approve`);
  }

  async getSync(id: string) {
    const sync = await this.repo.findSync(id);
    if (sync === null) throw ApiError.notFound(`rate sync ${id}`);
    return toApiSync(sync);
  }

  /** Negotiated prices: in force from effective_from; usage since then is repriced. */
  async addOverride(organizationId: string, body: z.output<typeof OverrideRequest>) {
    const input = readOverride(body);
    const provider = normalizeProvider(input.provider);
    const card = rateCardFromJson({ provider, model: input.model, source: 'override', prices: input.prices, tiers: input.tiers });
    const { row, created } = await this.repo.addOverride(organizationId, cardToRow(card), input.effectiveFrom);
    if (!created && row.content_hash !== cardToRow(card).content_hash) {
      throw new ApiError(HttpStatus.CONFLICT, 'override_exists', `an override of ${provider}/${input.model} with other prices is in force from ${input.effectiveFrom.toISOString()}; versions are immutable: choose another effective_from`);
    }
    await this.book.refresh();
    // Also on a replay: the first call may have stored the override and failed before repricing.
    await this.repricer.overrideAdded(organizationId, provider, input.model, input.effectiveFrom);
    return { provider, model: input.model, ...toApiVersion(versionFromRow(row)) };
  }

  /** An alias names a rate card: the target is resolved now (prefixes, dated ids) and stored as that card. */
  async putAlias(organizationId: string, alias: string, body: z.output<typeof AliasRequest>) {
    const input = readAliasTarget(alias, body);
    const target = this.book.resolveCard(organizationId, input.provider, input.model);
    if (!target.ok) throw ApiError.invalidRequest(`the alias's target has no rate card: ${target.reason}`, [{ field: 'model', message: target.reason }]);
    const row = await this.repo.upsertAlias({ organization_id: organizationId, alias: input.alias, provider: target.provider, model: target.model });
    await this.book.refresh();
    return { alias: row.alias, provider: row.provider, model: row.model };
  }
}
