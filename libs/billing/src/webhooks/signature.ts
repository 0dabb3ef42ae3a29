import { createHmac } from 'node:crypto';

// The signature of a delivery (docs/api.md, "Verifying a delivery"): HMAC-SHA256 keyed with the endpoint's
// secret (the whole `whsec_…` string) over `<t>.<raw body>`, hex. The timestamp is signed too, so a receiver
// can refuse an old delivery replayed by someone who recorded it.

export const SIGNATURE_HEADER = 'Tollgate-Signature';

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** `t=<unix seconds>,v1=<hex>`. */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}
