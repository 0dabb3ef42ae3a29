import type { TollgateConfig } from '@tollgate/config';

// The api's HTTP server limits (docs/design.md, "HTTP server limits"): a client that sends its request too
// slowly, or holds a connection open saying nothing, is cut off rather than held for ever. The 408 leaves in the
// API's error shape through http-errors.ts's clientErrorHandler.

/** Fastify's options for the timeouts (HTTP_*_TIMEOUT_SECONDS) and whose X-Forwarded-For to believe (TRUST_PROXY). */
export function httpServerOptions(config: TollgateConfig) {
  const t = config.http;
  return {
    // The whole request within requestMs, its headers within headersMs: else 408 and the connection is closed.
    requestTimeout: t.requestMs,
    http: {
      headersTimeout: t.headersMs,
      // How often Node looks for requests past those deadlines (its default, 30 s, would let one live 30 s more).
      connectionsCheckingInterval: Math.min(1000, t.headersMs / 2),
    },
    keepAliveTimeout: t.keepAliveMs,
    // No byte either way for this long, even mid-request: the connection is closed.
    connectionTimeout: t.idleMs,
    trustProxy: config.trustProxy,
  };
}
