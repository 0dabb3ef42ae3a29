import { exact } from '@tollgate/pricing';
import type { RateCard } from '../rate-card';
import { cardFromRow, cardToRow, contentHash, versionFromRow } from './version-rows';

const card: RateCard = {
  provider: 'openai',
  model: 'gpt-4o',
  source: 'litellm',
  prices: { input_tokens: exact('0.0000025'), output_tokens: exact('0.00001') },
  tiers: [{ minPromptTokens: 200_001n, prices: { input_tokens: exact('0.000005') } }],
};

describe('rate card rows', () => {
  it('hashes prices, not how their decimal text was written', () => {
    const same = { ...card, prices: { output_tokens: exact('1.0e-5'), input_tokens: exact('0.00000250') } };
    expect(contentHash(same)).toBe(contentHash(card));
  });

  it('changes the hash when any price or tier changes', () => {
    const hashes = new Set([
      contentHash(card),
      contentHash({ ...card, prices: { ...card.prices, input_tokens: exact('0.0000025000000000000001') } }),
      contentHash({ ...card, prices: { ...card.prices, cache_read_tokens: exact('0') } }),
      contentHash({ ...card, tiers: [] }),
      contentHash({ ...card, tiers: [{ minPromptTokens: 200_000n, prices: { input_tokens: exact('0.000005') } }] }),
    ]);
    expect(hashes.size).toBe(5);
  });

  it('round-trips a card exactly through its row', () => {
    const row = cardToRow(card);
    expect(row.prices).toEqual({ input_tokens: '0.0000025', output_tokens: '0.00001' });
    expect(row.tiers).toEqual([{ min_prompt_tokens: 200001, prices: { input_tokens: '0.000005' } }]);
    expect(cardFromRow(row, 'litellm')).toEqual(card);
  });

  it('reads a removal marker as a removed version', () => {
    const at = new Date('2026-08-02T00:00:00Z');
    const base = {
      id: 'x',
      scope: 'list',
      provider: 'openai',
      model: 'gpt-4o',
      source: 'litellm',
      effective_from: at,
      fetched_at: at,
      sync_id: null,
    };
    expect(versionFromRow({ ...base, prices: {}, tiers: [], content_hash: 'removed' })).toMatchObject({ removed: true, prices: {} });
    expect(versionFromRow({ ...base, ...cardToRow(card) }).removed).toBeUndefined();
  });
});
