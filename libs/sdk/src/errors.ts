/** A delivery problem reported to `onError`; never thrown into the agent's code. */
export class TollgateDeliveryError extends Error {
  override readonly name = 'TollgateDeliveryError';

  constructor(
    message: string,
    /** The transaction ids concerned. */
    readonly transactionIds: readonly string[],
    /** HTTP status, when the API answered. */
    readonly status?: number,
    /** The API's error code (`invalid_event`, `unauthorized`, …), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** Thrown by the opt-in budget guard instead of calling the model. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';

  constructor(
    readonly customer: string,
    readonly reason: string | undefined,
    readonly entitlement: Entitlement,
  ) {
    super(`Tollgate: customer ${customer} may not make another model call${reason ? ` (${reason})` : ''}`);
  }
}

/** `GET /v1/customers/{id}/entitlement` (API.md); amounts are decimal strings. */
export interface Entitlement {
  allowed: boolean;
  reason?: string;
  ongoing_balance?: string;
  period_usage?: string;
  spend_cap?: string;
}
