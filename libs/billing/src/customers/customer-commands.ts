import type { CustomerFields } from '@tollgate/db';

/** A customer's settable fields as a command carries them (docs/api.md, "Customers and plans"). */
export type CustomerChanges = CustomerFields;
