import type Decimal from 'decimal.js';
import { exact } from '@tollgate/pricing';

const DECIMAL_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A decimal string as sent by a source (e.g. OpenRouter's "0.0000000208333333333333"), or null if it is not one. */
export function decimalFromText(text: unknown): Decimal | null {
  if (typeof text !== 'string' || !DECIMAL_TEXT.test(text.trim())) return null;
  return exact(text.trim());
}

/**
 * A JSON number as an exact decimal: JSON.parse already made it a double, and String() gives the shortest
 * text that round-trips to that double (2.0833333333333e-8 stays 2.0833333333333e-8). No float arithmetic.
 */
export function decimalFromJsonNumber(value: unknown): Decimal | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  return exact(String(value));
}
