import type { FormObject, FormValue } from './form';

// Stripe's error shape (https://docs.stripe.com/api/errors): {"error": {"type", "code", "message", "param",
// "doc_url"}} with the HTTP status Stripe uses for it.

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error',
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }

  /**
   * Stripe saves an error under the idempotency key only once the endpoint began executing; a request that
   * failed parameter validation saved nothing, so it can be corrected and sent again with the same key.
   */
  get savedUnderIdempotencyKey(): boolean {
    return !(this.code?.startsWith('parameter_') ?? false) && this.type !== 'idempotency_error';
  }

  body(): { error: Record<string, string> } {
    const error: Record<string, string> = { type: this.type, message: this.message };
    if (this.code) {
      error.code = this.code;
      error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`;
    }
    if (this.param) error.param = this.param;
    return { error };
  }
}

export const missingParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Missing required param: ${param}.`, 'parameter_missing', param);

export const unknownParam = (param: string) =>
  new StripeApiError(400, 'invalid_request_error', `Received unknown parameter: ${param}`, 'parameter_unknown', param);

export const invalidParam = (param: string, message: string, code = 'parameter_invalid') =>
  new StripeApiError(400, 'invalid_request_error', message, code, param);

export const noSuch = (kind: string, id: string, param: string, status = 400) =>
  new StripeApiError(status, 'invalid_request_error', `No such ${kind}: '${id}'`, 'resource_missing', param);

export const badTransition = (message: string) => new StripeApiError(400, 'invalid_request_error', message, 'status_transition_invalid');

// Reading form parameters the way Stripe validates them.

/** Refuses parameters the endpoint does not take (`prefix` names nested ones, e.g. "lines[0]"). */
export function onlyParams(params: FormObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (!allowed.includes(key)) throw unknownParam(prefix ? `${prefix}[${key}]` : key);
  }
}

export function text(params: FormObject, name: string, param = name): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParam(param, `Invalid string: ${param} must be a string`);
  return value;
}

export function integer(params: FormObject, name: string, param = name): number | undefined {
  const value = text(params, name, param);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw invalidParam(param, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  }
  return Number(value);
}

export function boolean(params: FormObject, name: string): boolean | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw invalidParam(name, `Invalid boolean: ${value}`);
  return value === 'true';
}

export function oneOf<T extends string>(params: FormObject, name: string, values: readonly T[]): T | undefined {
  const value = text(params, name);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw invalidParam(name, `Invalid ${name}: must be one of ${values.join(', ')}`);
  }
  return value as T;
}

/**
 * Stripe's metadata update: `metadata[k]=v` sets, `metadata[k]=` unsets a key, `metadata=` unsets all;
 * at most 50 keys of up to 40 characters, values up to 500.
 */
export function applyMetadata(current: Record<string, string>, value: FormValue | undefined, param: string): Record<string, string> {
  if (value === undefined) return current;
  if (typeof value === 'string') {
    if (value !== '') throw invalidParam(param, `Invalid object: ${param} must be an object or ''`);
    return {};
  }
  const next = { ...current };
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw invalidParam(`${param}[${key}]`, 'Metadata values must be strings');
    if (key.length > 40)
      throw invalidParam(param, `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters.`);
    if (v.length > 500)
      throw invalidParam(param, `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters.`);
    if (v === '') delete next[key];
    else next[key] = v;
  }
  if (Object.keys(next).length > 50) throw invalidParam(param, 'You can have at most 50 metadata keys.');
  return next;
}
