// The webhook event types an endpoint may subscribe to (docs/api.md, "Webhooks"). A use case that publishes a
// new type adds it here first.
export const WEBHOOK_EVENT_TYPES = [
  'usage.threshold_crossed',
  'credits.balance_low',
  'credits.exhausted',
  'invoice.margin_floor_applied',
  'invoice.finalized',
  'invoice.paid',
  'invoice.payment_failed',
  'invoice.push_failed',
  'margin.below_target',
  'rates.price_changed',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
