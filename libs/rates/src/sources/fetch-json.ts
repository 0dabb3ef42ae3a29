import { MalformedSourceError, SourceFetchError } from '../source-errors';

export interface FetchOptions {
  /** Per request, default 30 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** GET a JSON document; any failure is a SourceFetchError (HTTP, timeout, network) or MalformedSourceError (not JSON). */
export async function fetchJson(url: string, options: FetchOptions = {}): Promise<unknown> {
  const doFetch = options.fetch ?? fetch;
  const signal = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  let text: string;
  try {
    const response = await doFetch(url, { signal, headers: { accept: 'application/json' } });
    if (!response.ok) throw new SourceFetchError(`GET ${url}: HTTP ${response.status}`, 'http');
    text = await response.text();
  } catch (error) {
    if (error instanceof SourceFetchError) throw error;
    // Node's abort reason is a DOMException, not always an `instanceof Error` across realms.
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    if (name === 'TimeoutError' || name === 'AbortError') throw new SourceFetchError(`GET ${url}: timed out`, 'timeout');
    const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    throw new SourceFetchError(`GET ${url}: ${message}`, 'network');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedSourceError(`GET ${url}: body is not JSON (${text.length} bytes; truncated?)`);
  }
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
