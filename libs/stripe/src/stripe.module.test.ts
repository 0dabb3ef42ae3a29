import { NestFactory } from '@nestjs/core';
import { StripeTestServer } from '@tollgate/testing';
import { StripeGateway, StripeModule } from '.';

describe('StripeModule', () => {
  it('provides the gateway port, built from the STRIPE_* settings', async () => {
    const server = await new StripeTestServer().start();
    const app = await NestFactory.createApplicationContext(
      StripeModule.forRoot({
        secretKey: 'sk_test_module',
        apiBase: server.sdkOptions,
        timeoutMs: 5000,
        requestsPerSecond: 20,
        endpointRequestsPerSecond: 20,
        retryBaseMs: 1000,
      }),
      { logger: false },
    );
    try {
      const gateway = app.get(StripeGateway);
      const customer = await gateway.ensureCustomer({ idempotencyKey: 'tollgate:customer:c1:create', tollgateCustomerId: 'c1' });
      expect(server.customers().map((c) => c.id)).toEqual([customer.id]);
    } finally {
      await app.close();
      await server.close();
    }
  });
});
