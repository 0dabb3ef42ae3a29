import fc from 'fast-check';
import { Decimal } from '@tollgate/money';
import { USAGE_DIMENSIONS, type Usage } from '../dimensions';
import { aggregatePricedEvents, mergeAggregates, type ChargeAggregate, type PricedUsage } from './aggregate';

const decimalText = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 18n }), fc.integer({ min: 0, max: 30 }))
  .map(([n, scale]) => new Decimal(n.toString()).div(new Decimal(10).pow(scale)));
const usage = fc.record(
  Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, fc.bigInt({ min: 0n, max: 10n ** 12n })])) as Record<
    keyof Usage,
    fc.Arbitrary<bigint>
  >,
);
const pricedEvent: fc.Arbitrary<PricedUsage> = fc.record({
  charge: fc.constantFrom('premium', 'standard', 'flat'),
  provider_cost: decimalText,
  rated_amount: decimalText,
  usage,
});

// Decimals compared by value and printed form; bigints by value.
const plain = (aggregates: ChargeAggregate[]) =>
  aggregates.map((a) => ({ ...a, provider_cost: a.provider_cost.toFixed(), rated_amount: a.rated_amount.toFixed() }));

describe('aggregates', () => {
  it('sums events per charge', () => {
    const zero = Object.fromEntries(USAGE_DIMENSIONS.map((d) => [d, 0n])) as Usage;
    const events: PricedUsage[] = [
      { charge: 'b', provider_cost: new Decimal('0.1'), rated_amount: new Decimal('0.13'), usage: { ...zero, input_tokens: 5n } },
      { charge: 'a', provider_cost: new Decimal('1'), rated_amount: new Decimal('2'), usage: zero },
      { charge: 'b', provider_cost: new Decimal('0.2'), rated_amount: new Decimal('0.26'), usage: { ...zero, input_tokens: 7n } },
    ];
    expect(plain(aggregatePricedEvents(events))).toEqual([
      { charge: 'a', events: 1n, provider_cost: '1', rated_amount: '2', tokens: zero },
      { charge: 'b', events: 2n, provider_cost: '0.3', rated_amount: '0.39', tokens: { ...zero, input_tokens: 12n } },
    ]);
  });

  it('property: any order or batching of the same events gives identical aggregates', () => {
    fc.assert(
      fc.property(
        fc.array(pricedEvent, { maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.infiniteStream(fc.nat()),
        (events, cuts, randoms) => {
          const all = aggregatePricedEvents(events);
          // A shuffle driven by fast-check's stream, so failures shrink and replay.
          const shuffled = [...events];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = randoms.next().value % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
          }
          const bounds = [...new Set(cuts.map((c) => (shuffled.length === 0 ? 0 : c % shuffled.length)))].sort((a, b) => a - b);
          const batches = [0, ...bounds, shuffled.length].slice(1).map((end, i, ends) => shuffled.slice(i === 0 ? 0 : ends[i - 1], end));
          const batched = mergeAggregates(...batches.reverse().map((batch) => aggregatePricedEvents(batch)));
          expect(plain(batched)).toEqual(plain(all));
          expect(batched.reduce((n, a) => n + a.events, 0n)).toBe(BigInt(events.length));
        },
      ),
    );
  });
});
