// The OpenAPI description of an invoice (docs/api.md "Invoices"), shared by the invoice routes.

const money = { type: 'string', example: '12.34' };

export const INVOICE_LINE_SCHEMA = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: ['usage', 'late_usage', 'allowance', 'base_fee', 'minimum_commitment', 'coupon', 'credits'] },
    description: { type: 'string' },
    charge: { type: 'string', nullable: true },
    provider_cost: { type: 'string', nullable: true, description: 'admin keys only' },
    amount: money,
    amount_precise: { type: 'string', description: 'the amount before rounding (at most 30 decimal places)' },
    floor_applied: { type: 'boolean', description: 'admin keys only' },
    events: { type: 'integer', description: 'usage and late-usage lines' },
    rated_amount: { type: 'string', description: 'usage and late-usage lines: before discount and floor' },
    tokens: { type: 'object', additionalProperties: { type: 'integer' } },
    period_start: { type: 'string', format: 'date-time', description: 'late usage: the period it belongs to' },
    coupon_id: { type: 'string', description: 'coupon lines' },
  },
};

export const INVOICE_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    number: { type: 'string', nullable: true, example: 'TG-2026-000123' },
    status: { type: 'string', enum: ['draft', 'finalized', 'paid', 'payment_failed', 'void'] },
    type: { type: 'string', enum: ['usage'] },
    external_customer_id: { type: 'string' },
    plan_code: { type: 'string' },
    plan_version: { type: 'integer' },
    period_start: { type: 'string', format: 'date-time' },
    period_end: { type: 'string', format: 'date-time' },
    currency: { type: 'string' },
    discount: { type: 'string' },
    lines: { type: 'array', items: INVOICE_LINE_SCHEMA },
    subtotal: money,
    credits_applied: money,
    total: money,
    finalize_after: { type: 'string', format: 'date-time', description: 'end of the grace period' },
    requires_approval: { type: 'boolean' },
    finalized_at: { type: 'string', format: 'date-time', nullable: true },
    voided_at: { type: 'string', format: 'date-time', nullable: true },
    void_reason: { type: 'string', nullable: true },
    stripe_invoice_id: { type: 'string', nullable: true },
    stripe_status: { type: 'string', nullable: true },
    created_at: { type: 'string', format: 'date-time' },
    compute_error: { type: 'string', nullable: true, description: 'admin keys only: why a draft could not be computed' },
  },
};
