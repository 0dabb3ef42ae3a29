import { z } from 'zod';
import { UUID_PATTERN } from '@tollgate/billing';
import {
  DISCOUNT,
  MARGIN_FLOOR,
  MARKUP,
  MAX_SIMULATION_CUSTOMERS,
  MAX_SIMULATION_RULES,
  PLAN_AMOUNT,
  ROUTING_SHARE,
  SIMULATION_FACTOR,
} from '../common/limits';
import { named } from '../common/schema/openapi';
import {
  array,
  clearable,
  decimalString,
  decodeCursorText,
  instant,
  limitParam,
  object,
  optional,
  text,
} from '../common/schema/primitives';
import { decimalOut, listOf, timestampOut } from '../common/schema/responses';
import { code, planFields } from '../plans/plan.schema';

// Stress tests (docs/api.md "Simulations"): the scenario, the simulation with its progress and result, the list.

export const ProposedPlan = named(
  'ProposedPlan',
  object({ code: optional(code), ...planFields }).meta({
    description: 'A plan as POST /v1/plans takes it (code optional): it bills every period of the range instead of its own plan version.',
  }),
);

export const CreateSimulationRequest = named(
  'CreateSimulationRequest',
  object({
    from: instant("Billed periods whose start is at or after this (the invoices' period_start)."),
    to: instant('…and before this.'),
    external_customer_ids: optional(array(text(255), 1, MAX_SIMULATION_CUSTOMERS, 'customers')).meta({
      description: 'Only these customers (default: every customer billed in the range).',
    }),
    plan: optional(ProposedPlan),
    plan_changes: optional(
      object({
        markup: optional(decimalString(MARKUP)).meta({ description: 'Every price-mode charge’s markup.' }),
        margin_floor: clearable(decimalString(MARGIN_FLOOR)).meta({ description: 'Every charge’s margin floor; null removes them.' }),
        included_usage: optional(
          decimalString({ ...PLAN_AMOUNT, description: 'The allowance per period (the currency’s decimal places).' }),
        ),
        discount: optional(decimalString(DISCOUNT)).meta({ description: 'Every customer’s discount.' }),
      }),
    ),
    price_multipliers: optional(
      array(
        object({
          provider: optional(text(255)),
          model: optional(text(255)),
          factor: decimalString({ ...SIMULATION_FACTOR, description: 'The provider’s prices × this.' }),
        }),
        1,
        MAX_SIMULATION_RULES,
        'multipliers',
      ),
    ).meta({ description: 'The first entry whose provider and model (each if given, case-insensitive) are the event’s applies.' }),
    routing_shifts: optional(
      array(
        object({
          from_provider: optional(text(255)),
          from_model: text(255),
          to_provider: text(255),
          to_model: text(255),
          share: decimalString({ ...ROUTING_SHARE, description: 'Of each customer’s events of from_model, evenly spread.' }),
        }),
        1,
        MAX_SIMULATION_RULES,
        'shifts',
      ),
    ).meta({ description: 'Moved events are priced with the target model’s rate card at their time and the same tokens.' }),
    usage_growth: optional(decimalString({ ...SIMULATION_FACTOR, description: 'Usage × this (each event counted this many times).' })),
  }),
);

const money = (description: string) => decimalOut(description);

const CustomerSimulation = named(
  'CustomerSimulation',
  z.strictObject({
    external_customer_id: z.string(),
    currency: z.string(),
    periods: z.number().int(),
    events: z.number().int(),
    events_unpriced: z.number().int().meta({ description: 'Events the scenario left without a cost (a routing target without a rate).' }),
    billed_then: money('What the invoices billed (their totals).'),
    billed_simulated: money('What the periods would have billed, each invoice computed again.'),
    cost_then: money('Provider cost of the periods’ priced events (exact).'),
    cost_simulated: money('Provider cost under the scenario (exact).'),
    margin_then: money('billed_then − cost_then.'),
    margin_simulated: money('billed_simulated − cost_simulated.'),
    margin_percent_then: decimalOut('margin / billed × 100, 2 places; null when nothing was billed.').nullable(),
    margin_percent_simulated: decimalOut().nullable(),
  }),
);

const { external_customer_id: _omit, ...totalsShape } = CustomerSimulation.shape;

const SimulationResult = named(
  'SimulationResult',
  z.strictObject({
    totals: z.array(z.strictObject({ ...totalsShape, customers: z.number().int() })).meta({ description: 'One per currency billed.' }),
    customers: z.array(CustomerSimulation).meta({ description: 'Worst simulated margin first.' }),
  }),
);

const simulationFields = {
  id: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  scenario: z.record(z.string(), z.unknown()).meta({ description: 'The scenario as accepted (instants as RFC 3339).' }),
  progress: z.strictObject({
    events_total: z.number().int().meta({ description: 'Priced events of the range’s billed periods when it was created.' }),
    events_done: z.number().int(),
  }),
  error: z.string().nullable().meta({ description: 'Why it failed.' }),
  created_at: timestampOut(),
  started_at: timestampOut().nullable(),
  finished_at: timestampOut().nullable(),
};

export const Simulation = named(
  'Simulation',
  z.strictObject({ ...simulationFields, result: SimulationResult.nullable().meta({ description: 'Once it succeeded.' }) }),
);

export const SimulationList = listOf('SimulationList', named('SimulationSummary', z.strictObject(simulationFields)));

export const SimulationPath = object({ id: text(255) });

/** The last simulation of a page: its creation (ms) and id. */
function simulationCursor() {
  return z
    .string()
    .transform((cursor, ctx) => {
      const [ms, id] = (decodeCursorText(cursor) ?? '').split('.');
      if (!/^\d{1,15}$/.test(ms ?? '') || !UUID_PATTERN.test(id ?? '')) {
        ctx.issues.push({ code: 'custom', message: 'is not a cursor this API returned', input: cursor });
        return z.NEVER;
      }
      return { createdAt: new Date(Number(ms)), id: id! };
    })
    .meta({ type: 'string', description: 'next_cursor of the previous page' });
}

export const writeSimulationCursor = (after: { createdAt: Date; id: string } | null) =>
  after === null ? null : Buffer.from(`${after.createdAt.getTime()}.${after.id}`).toString('base64url');

export const SimulationListQuery = object({ cursor: optional(simulationCursor()), limit: limitParam() });
