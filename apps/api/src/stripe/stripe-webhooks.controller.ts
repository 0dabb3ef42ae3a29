import { Controller, Headers, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HandleStripeWebhook } from '@tollgate/billing';
import { RawJsonBody, Responds } from '../common/schema/validate';
import { StripeEventDocumented, StripeWebhookReceipt } from './stripe-webhook.schema';

/**
 * Stripe's webhooks. No API key: the signature over the raw body (STRIPE_WEBHOOK_SECRET) is the authentication,
 * checked by the use case before anything else; the body reaches here unparsed (json-body.ts, RAW_BODY_PATHS).
 */
@ApiTags('stripe')
@Controller('v1/webhooks')
export class StripeWebhooksController {
  constructor(private readonly handle: HandleStripeWebhook) {}

  @Post('stripe')
  @ApiOperation({ summary: "Stripe's invoice events (signed): payments, failures, voids reach the invoice" })
  @Responds(200, StripeWebhookReceipt, 'Received (acted on, or acknowledged and ignored)', {
    400: ['invalid_signature'],
    503: ['unavailable'],
  })
  async receive(@RawJsonBody(StripeEventDocumented) rawBody: Buffer, @Headers('stripe-signature') signature: string | undefined) {
    const r = await this.handle.execute({ rawBody, signature });
    return { received: true, event_id: r.eventId, type: r.type, outcome: r.outcome, invoice_id: r.invoiceId };
  }
}
