import { withAdminClient } from '@tollgate/testing';
import { asciiLower } from './simulations.repository';

// The routing shifts picked in Postgres match event names as JavaScript's toLowerCase() does (RoutingPicker): for
// printable-ASCII shift names, asciiLower(name) = shift name exactly when name.toLowerCase() = shift name.

const SHIFT_NAMES = ['kimi-k2', 'gold-o3', 'o3', 'claude-haiku'];
const EVENT_NAMES = [
  'kimi-k2',
  'KIMI-K2',
  'kimi-\u212a2', // the Kelvin sign: JavaScript lowers it to "k"
  '\u212aIMI-\u212a2',
  'kımi-k2', // dotless i
  'kİmi-k2', // İ lowers to "i̇" (two characters)
  'ｋimi-k2', // fullwidth k
  'kimi-k2 ',
  'Gold-O3',
  'gold-о3', // Cyrillic o
  'GOLD-O3\u212a',
  'O3',
  'Claude-Haiku',
  'CLAUDE-HAİKU',
  'claude-haiku\u00a0',
  '',
];

describe('shift names matched in Postgres', () => {
  it('match exactly the event names JavaScript lower-cases to the shift name, Kelvin sign and other Unicode included', async () => {
    const pairs = SHIFT_NAMES.flatMap((shift) => EVENT_NAMES.map((name) => ({ shift, name })));
    const got = await withAdminClient(
      async (c) =>
        (
          await c.query<{ m: boolean[] }>({
            text: `SELECT array_agg(${asciiLower('p.name')} = p.shift ORDER BY p.i) AS m
                 FROM unnest($1::text[], $2::text[]) WITH ORDINALITY p(name, shift, i)`,
            values: [pairs.map((p) => p.name), pairs.map((p) => p.shift)],
          })
        ).rows[0].m,
    );
    expect(got).toEqual(pairs.map((p) => p.name.toLowerCase() === p.shift));
    // Among them the Kelvin sign's, and one of each shift name.
    expect(got[pairs.findIndex((p) => p.shift === 'kimi-k2' && p.name === '\u212aIMI-\u212a2')]).toBe(true);
    for (const shift of SHIFT_NAMES) expect(got.some((m, i) => m && pairs[i].shift === shift)).toBe(true);
  });
});
