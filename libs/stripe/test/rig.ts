import type { StripeSettings } from '@tollgate/config';
import { StripeTestServer, type StripeTestServerOptions } from '@tollgate/testing';
import { StripeSdkGateway } from '../src';

export const WEBHOOK_SECRET = 'whsec_tollgate_gateway_tests';

export interface Rig {
  server: StripeTestServer;
  gateway: StripeSdkGateway;
  /** Another gateway on the same server (another key, a shorter timeout…); closed with the rig. */
  gatewayWith(overrides: Partial<StripeSettings>): StripeSdkGateway;
  close(): Promise<void>;
}

/** The test server and the real SDK gateway pointed at it (host, port, protocol http). */
export async function startRig(options: StripeTestServerOptions = {}): Promise<Rig> {
  const server = await new StripeTestServer(options).start();
  const gateways: StripeSdkGateway[] = [];
  const gatewayWith = (overrides: Partial<StripeSettings>) => {
    const gateway = new StripeSdkGateway({
      secretKey: 'sk_test_tollgate',
      apiBase: server.sdkOptions,
      webhookSecret: WEBHOOK_SECRET,
      timeoutMs: 5000,
      requestsPerSecond: 100,
      endpointRequestsPerSecond: 0,
      retryBaseMs: 1000,
      ...overrides,
    });
    gateways.push(gateway);
    return gateway;
  };
  const gateway = gatewayWith({});
  return {
    server,
    gateway,
    gatewayWith,
    async close() {
      for (const g of gateways) g.onModuleDestroy();
      await server.close();
    },
  };
}
