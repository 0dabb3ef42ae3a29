// npm run bench:pricing — pure pricing of events on one core (target >= 200,000 events/s): for each event,
// the provider cost from its rate card (libs/pricing/src/cost, tiers and fallbacks included), the plan's
// charge matching and the rating. No I/O: the rate cards are the bundled snapshot's, looked up by model in
// a Map, as the worker has them once loaded. Also printed: the policy step alone (matching + rating on a
// known cost), so a shortfall can be placed.
import { providerCost } from '../libs/pricing/src/cost';
import { emptyUsage, type Usage } from '../libs/pricing/src/dimensions';
import { compileEventPricer, validatePlan } from '../libs/pricing/src/policy';
import { bundledSnapshot } from '../libs/rates/src/snapshot/bundled';
import { snapshotCards } from '../libs/rates/src/snapshot/snapshot-file';
import type { RateCard } from '../libs/rates/src/rate-card';

const validated = validatePlan({
  code: 'bench',
  name: 'Bench',
  currency: 'USD',
  included_usage: '20.00',
  charges: [
    { name: 'premium', models: ['*o3*', '*opus*'], mode: 'price', markup: '0.50', margin_floor: '0.30', allowance_eligible: false },
    {
      name: 'flat',
      models: ['*gpt-4o-mini*', '*haiku*'],
      mode: 'token',
      token_prices: { input_tokens: '0.30', output_tokens: '1.20', cache_read_tokens: '0.03' },
    },
    { name: 'standard', models: ['*'], mode: 'price', markup: '0.30', margin_floor: '0.20' },
  ],
});
if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
const pricer = compileEventPricer(validated.plan);

const cards: RateCard[] = bundledSnapshot().flatMap((f) => snapshotCards(f));
const sheetByModel = new Map(cards.map((card) => [card.model, card]));
const models = [...sheetByModel.keys()];

// Events prepared up front (usage as the ingest stores it: bigint counts), with a realistic skew: most traffic
// on a few models, a long tail on the rest.
const N = 200_000;
let seed = 7;
const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const hot = models.slice(0, 20);
const events: Array<{ model: string; usage: Usage }> = [];
for (let i = 0; i < N; i++) {
  const model = random() < 0.9 ? hot[Math.floor(random() * hot.length)]! : models[Math.floor(random() * models.length)]!;
  const usage = emptyUsage();
  usage.input_tokens = BigInt(Math.floor(random() * 20_000));
  usage.output_tokens = BigInt(Math.floor(random() * 2_000));
  usage.requests = 1n;
  if (random() < 0.4) usage.cache_read_tokens = BigInt(Math.floor(random() * 50_000));
  if (random() < 0.1) usage.cache_write_tokens = BigInt(Math.floor(random() * 10_000));
  if (random() < 0.2) usage.reasoning_tokens = BigInt(Math.floor(random() * 8_000));
  events.push({ model, usage });
}

const costs = events.map((event) => providerCost(event.usage, sheetByModel.get(event.model)!).total);

/** Events per second of one pass; `withCost` adds the rate-card cost of each event to the timed work. */
function run(withCost: boolean): number {
  let priced = 0;
  const began = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const event = events[i]!;
    const cost = withCost ? providerCost(event.usage, sheetByModel.get(event.model)!).total : costs[i]!;
    if (pricer({ model: event.model, usage: event.usage, rateCardCost: cost, reportedCost: null }).status === 'priced') priced++;
  }
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  if (priced !== N) throw new Error(`${N - priced} events left unpriced`);
  return N / seconds;
}

const median = (withCost: boolean) => [run(withCost), run(withCost), run(withCost)].sort((a, b) => a - b)[1]!;
run(true); // warm-up
const full = median(true);
const policyOnly = median(false);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(`pricing: ${N} events per run over ${models.length} rate cards, median of 3 runs, one core`);
console.log(`  cost + charge matching + rating: ${fmt(full)} events/s`);
console.log(`  charge matching + rating only:   ${fmt(policyOnly)} events/s`);
console.log(JSON.stringify({ bench: 'pricing', events_per_s: Math.round(full), policy_events_per_s: Math.round(policyOnly) }));
