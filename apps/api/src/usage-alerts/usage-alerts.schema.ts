import { z } from 'zod';
import { Decimal } from '@tollgate/money';
import { SPEND_CAP } from '../common/limits';
import { named } from '../common/schema/openapi';
import { array, decimalProblem, object } from '../common/schema/primitives';
import { decimalOut } from '../common/schema/responses';

// A customer's usage alert amounts (docs/api.md, "Usage alerts").

const MAX_AMOUNTS = 20;

/** An amount of period usage, in the plan's currency: above 0, bounded as a spending cap. */
const amount = () =>
  z
    .custom<string>()
    .check((ctx) => {
      const v = ctx.value;
      const problem =
        v == null ? 'is required' : (decimalProblem(v, SPEND_CAP) ?? (new Decimal(v as string).lte(0) ? 'must be above 0' : null));
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: v });
    })
    .meta({
      type: 'string',
      pattern: '^\\d+(\\.\\d+)?$',
      description: 'Decimal string above 0, in the currency of the customer’s plan; at most 20 digits before the point and 30 after.',
      example: '100.00',
    });

export const UsageAlertsRequest = named(
  'UsageAlertsRequest',
  object({
    thresholds: array(amount(), 0, MAX_AMOUNTS, 'amounts').meta({ description: 'The amounts become exactly these; [] removes them.' }),
  }),
);

export const UsageAlerts = named(
  'UsageAlerts',
  z.strictObject({
    external_customer_id: z.string(),
    thresholds: z.array(decimalOut()).meta({ description: 'Ascending, one per amount.' }),
  }),
);
