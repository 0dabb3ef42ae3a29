// A small client of the Tollgate API for the demo: the operator's and the demo organisation's calls, each
// answer checked (a demo that half-worked must say so, not print links to nothing).

export class DemoApiError extends Error {}

export class DemoApi {
  constructor(
    readonly baseUrl: string,
    private readonly key: string,
  ) {}

  withKey(key: string): DemoApi {
    return new DemoApi(this.baseUrl, key);
  }

  async call<T>(method: string, path: string, body?: unknown, expected: number[] = [200, 201]): Promise<{ status: number; body: T }> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text === '' ? null : JSON.parse(text)) as T;
    if (!expected.includes(res.status)) throw new DemoApiError(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, body: parsed };
  }

  /** Waits until the api answers /readyz (it starts beside this process). */
  async ready(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        if ((await fetch(`${this.baseUrl}/readyz`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new DemoApiError(`the api at ${this.baseUrl} was not ready within ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
