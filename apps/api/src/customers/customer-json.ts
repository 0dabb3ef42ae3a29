import type { CustomerChanges } from '@tollgate/billing';
import type { CustomerRow } from '@tollgate/db';
import type { CustomerInput } from './customer.schema';

/** A validated customer body as the use cases' changes: the anchor date as a UTC midnight. */
export function toCustomerChanges(input: CustomerInput): CustomerChanges {
  const { external_id: _externalId, billing_anchor, ...rest } = input;
  return {
    ...rest,
    ...(billing_anchor === undefined ? {} : { billing_anchor: billing_anchor === null ? null : new Date(`${billing_anchor}T00:00:00Z`) }),
  };
}

export function toApiCustomer(c: CustomerRow) {
  return {
    id: c.id,
    external_id: c.external_id,
    name: c.name,
    email: c.email,
    plan_code: c.plan_code,
    discount: c.discount,
    billing_anchor: c.billing_anchor === null ? null : c.billing_anchor.toISOString().slice(0, 10),
    spend_cap: c.spend_cap,
    stripe_customer_id: c.stripe_customer_id,
    created_at: c.created_at.toISOString(),
  };
}
