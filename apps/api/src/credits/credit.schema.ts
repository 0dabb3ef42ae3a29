import { z } from 'zod';
import { CREDIT_AMOUNT, MAX_CREDIT_PRIORITY, MAX_TOP_UP_EXPIRY_DAYS } from '../common/limits';
import { named } from '../common/schema/openapi';
import { boolean, decimalString, idCursor, instant, integer, limitParam, object, oneOf, optional } from '../common/schema/primitives';
import { decimalOut, timestampOut } from '../common/schema/responses';

// Prepaid credits of a customer (docs/api.md "Credits").

const PRIORITY = 'Lower numbers are used first (then the earliest expiry, none last, then the oldest). Default 0.';

export const CreateCreditGrantRequest = named(
  'CreateCreditGrantRequest',
  object({
    amount: decimalString({
      ...CREDIT_AMOUNT,
      description: 'Above 0, in the currency of the customer’s plan, no finer than its minor unit.',
    }),
    kind: oneOf(['purchased', 'granted'], 'purchased: sold on its own credit_purchase invoice; granted: given, usable at once.'),
    priority: optional(integer(0, MAX_CREDIT_PRIORITY, PRIORITY)),
    expires_at: optional(instant('When what is left of it expires (an expiry entry in the ledger); in the future.')),
    paid: optional(boolean('purchased only: already paid (collected elsewhere): usable at once, its invoice recorded paid.')),
  }),
);

export const CreditGrant = named(
  'CreditGrant',
  z.strictObject({
    id: z.string(),
    kind: z.enum(['purchased', 'granted']),
    status: z.enum(['pending', 'active', 'expired', 'canceled']).meta({
      description: 'pending: a purchase whose invoice is not paid yet; canceled: its invoice was voided unpaid.',
    }),
    currency: z.string(),
    amount: decimalOut(),
    remaining: decimalOut(),
    priority: z.number().int(),
    expires_at: timestampOut().nullable(),
    invoice_id: z.string().nullable().meta({ description: 'A purchase: its credit_purchase invoice.' }),
    source: z.enum(['api', 'top_up']),
    created_at: timestampOut(),
    activated_at: timestampOut().nullable(),
  }),
);

const LedgerEntry = named(
  'CreditLedgerEntry',
  z.strictObject({
    id: z.string(),
    kind: z.enum(['grant', 'consumption', 'expiry', 'reversal']),
    grant_id: z.string(),
    amount: decimalOut('Signed: + for a grant or a reversal, − for a consumption or an expiry.'),
    invoice_id: z.string().nullable(),
    created_at: timestampOut(),
  }),
);

export const TopUp = named(
  'TopUpRule',
  z.strictObject({
    below: decimalOut(),
    amount: decimalOut(),
    kind: z.enum(['purchased', 'granted']),
    priority: z.number().int(),
    expires_in_days: z.number().int().nullable(),
  }),
);

export const CreditBalance = named(
  'CreditBalance',
  z.strictObject({
    external_customer_id: z.string(),
    currency: z.string(),
    balance: decimalOut('What the usable grants have left.'),
    ongoing_balance: decimalOut('The balance minus what the current period (and drafts not finalized) owe so far; may be negative.'),
    grants: z.array(CreditGrant).meta({ description: 'Pending grants and those with something left, in the order they are used.' }),
    top_up: TopUp.nullable(),
    ledger: z.array(LedgerEntry).meta({ description: 'A page of the ledger, oldest first.' }),
    next_cursor: z.string().nullable().meta({ description: 'The ledger’s next page.' }),
  }),
);

export const CreditBalanceQuery = object({ cursor: optional(idCursor()), limit: limitParam() });

export const TopUpRequest = named(
  'TopUpRuleRequest',
  object({
    below: decimalString({ ...CREDIT_AMOUNT, description: 'When the ongoing balance falls under this amount…' }),
    amount: decimalString({ ...CREDIT_AMOUNT, description: '…grant or sell this much (once per crossing).' }),
    kind: oneOf(['purchased', 'granted'], 'purchased: sold on a credit_purchase invoice (usable once paid); granted: given.'),
    priority: optional(integer(0, MAX_CREDIT_PRIORITY, PRIORITY)),
    expires_in_days: optional(integer(1, MAX_TOP_UP_EXPIRY_DAYS, 'Each top-up grant expires this many days after it is made.')),
  }),
);

export const TopUpResponse = named('TopUpRuleResponse', z.strictObject({ external_customer_id: z.string(), top_up: TopUp.nullable() }));
