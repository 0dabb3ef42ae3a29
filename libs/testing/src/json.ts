// Reading JSON responses in tests without `any`: the body is `unknown` until the test says what it expects.

/** A response as tests read it. */
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * `fetch`, with the body parsed as JSON (kept as text when it is not JSON, e.g. /metrics). `T` is the body the
 * test expects: a declaration, not a check, so a test asserts the status before it reads the body.
 */
export async function fetchJson<T = unknown>(url: string, init?: RequestInit): Promise<JsonResponse<T>> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the text itself
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** Tollgate's error body (docs/input.md "Errors"). */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

/** The `error` of a body in the API's error shape; throws, showing the body, when it is anything else. */
export function errorOf(body: unknown): ApiErrorBody['error'] {
  const error = isRecord(body) ? body.error : undefined;
  if (
    isRecord(error) &&
    typeof error.code === 'string' &&
    typeof error.message === 'string' &&
    (error.details === undefined || (Array.isArray(error.details) && error.details.every(isFieldProblem)))
  ) {
    return error as ApiErrorBody['error'];
  }
  throw new Error(`not an API error body: ${JSON.stringify(body)}`);
}

function isFieldProblem(v: unknown): boolean {
  return isRecord(v) && typeof v.field === 'string' && typeof v.message === 'string';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
