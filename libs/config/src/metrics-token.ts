import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a request may read /metrics (api and worker): always without METRICS_TOKEN (then the port must not be
 * public: docs/design.md, "Operations"), else only with `Authorization: Bearer <METRICS_TOKEN>`.
 */
export function metricsAuthorized(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '';
  // Compared as digests: equal lengths, and no time that depends on where they differ.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(presented), digest(token));
}
