// What a use case refuses, in billing terms. The api answers each kind with its status (404, 409, 400, 403) and the
// error's code; the worker never sees these.

export type BillingErrorKind = 'not_found' | 'conflict' | 'invalid' | 'forbidden';

export interface FieldProblem {
  field: string;
  message: string;
}

export class BillingError extends Error {
  constructor(
    readonly kind: BillingErrorKind,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }
}

/** Something the command names does not exist in the organisation (a customer, a plan, a sync). */
export class NotFoundError extends BillingError {
  constructor(message: string) {
    super('not_found', 'not_found', message);
  }
}

/** The command contradicts what is stored (a customer or plan that exists, an immutable version). */
export class ConflictError extends BillingError {
  constructor(code: string, message: string) {
    super('conflict', code, message);
  }
}

/** The caller's key may not do this to what the command names (another key than the operator's on the operator's key). */
export class ForbiddenError extends BillingError {
  constructor(message: string) {
    super('forbidden', 'forbidden', message);
  }
}

/** The command is not valid (field by field where it can say). */
export class InvalidCommandError extends BillingError {
  constructor(message: string, details?: FieldProblem[]) {
    super('invalid', 'invalid_request', message, details);
  }
}
