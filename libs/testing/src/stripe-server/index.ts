export { StripeTestServer, startStripeTestServer, type StripeTestServerOptions, type StripeRequestRecord } from './server';
export type { StripeFault, StripeFaultPlan, StripeTestOperation } from './faults';
export { signStripePayload, type Delivery, type DeliveryOptions, type WebhookEndpoint } from './webhooks';
export type { CustomerObject, InvoiceObject, LineItemObject, EventObject } from './objects';
