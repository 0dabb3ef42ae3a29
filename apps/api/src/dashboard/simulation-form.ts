import type { z } from 'zod';
import type { ScenarioJson } from '@tollgate/billing';
import { CreateSimulationRequest } from '../analytics/simulation.schema';
import { scenarioOf } from '../analytics/simulations.controller';

// The dashboard's stress-test form: plain fields (one price multiplier, one routing shift), turned into the body
// POST /v1/analytics/simulations takes and checked by the same schema, so both refuse the same input.

export const FORM_FIELDS = [
  'from',
  'to',
  'customers',
  'markup',
  'margin_floor',
  'included_usage',
  'discount',
  'multiplier_provider',
  'multiplier_model',
  'multiplier_factor',
  'shift_from_model',
  'shift_to_provider',
  'shift_to_model',
  'shift_share',
  'usage_growth',
] as const;

export type SimulationForm = Partial<Record<(typeof FORM_FIELDS)[number], string>>;

export interface FormProblem {
  field: string;
  message: string;
}

/** A date from <input type="date"> is that day's start, UTC. */
const instant = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);

export function formValues(body: URLSearchParams): SimulationForm {
  const form: SimulationForm = {};
  for (const f of FORM_FIELDS) {
    const v = body.get(f)?.trim();
    if (v) form[f] = v;
  }
  return form;
}

/** The scenario a filled form asks for, or what is wrong with it (field names as the API's). */
export function scenarioFromForm(form: SimulationForm): { ok: true; scenario: ScenarioJson } | { ok: false; problems: FormProblem[] } {
  const body: Record<string, unknown> = {};
  if (form.from !== undefined) body.from = instant(form.from);
  if (form.to !== undefined) body.to = instant(form.to);
  if (form.customers !== undefined) body.external_customer_ids = form.customers.split(/[\s,]+/).filter(Boolean);
  const changes: Record<string, string> = {};
  for (const k of ['markup', 'margin_floor', 'included_usage', 'discount'] as const) if (form[k] !== undefined) changes[k] = form[k]!;
  if (Object.keys(changes).length > 0) body.plan_changes = changes;
  if (form.multiplier_factor !== undefined || form.multiplier_model !== undefined || form.multiplier_provider !== undefined)
    body.price_multipliers = [{ provider: form.multiplier_provider, model: form.multiplier_model, factor: form.multiplier_factor }];
  if (form.shift_from_model !== undefined || form.shift_to_model !== undefined || form.shift_share !== undefined)
    body.routing_shifts = [
      { from_model: form.shift_from_model, to_provider: form.shift_to_provider, to_model: form.shift_to_model, share: form.shift_share },
    ];
  if (form.usage_growth !== undefined) body.usage_growth = form.usage_growth;
  const parsed = CreateSimulationRequest.safeParse(body);
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'form', message: i.message })) };
  return { ok: true, scenario: scenarioOf(parsed.data as z.output<typeof CreateSimulationRequest>) };
}
