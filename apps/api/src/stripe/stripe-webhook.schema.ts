import { z } from 'zod';
import { named } from '../common/schema/openapi';

// POST /v1/webhooks/stripe (docs/api.md "Stripe webhooks"): what Stripe sends, as documented, and the receipt.

/** A Stripe event as Stripe documents it; the handler reads the raw bytes and checks their signature before anything. */
export const StripeEventDocumented = named(
  'StripeEvent',
  z
    .looseObject({
      id: z.string().meta({ description: 'evt_…: each event is handled once.' }),
      type: z.string().meta({
        description:
          'invoice.paid, invoice.payment_failed, invoice.voided, invoice.marked_uncollectible, invoice.finalized; others are ignored.',
      }),
      created: z.number().int(),
      data: z.looseObject({ object: z.looseObject({}) }),
    })
    .meta({ description: 'Sent by Stripe, signed (Stripe-Signature) with the endpoint secret STRIPE_WEBHOOK_SECRET.' }),
);

export const StripeWebhookReceipt = named(
  'StripeWebhookReceipt',
  z.strictObject({
    received: z.literal(true),
    event_id: z.string(),
    type: z.string(),
    outcome: z.enum(['applied', 'unchanged', 'ignored', 'duplicate']).meta({
      description:
        'applied: it changed the invoice; unchanged: older news (a paid invoice never moves back); ignored: not an invoice event of ours; duplicate: handled before.',
    }),
    invoice_id: z.string().nullable().meta({ description: 'Our invoice it was about.' }),
  }),
);
