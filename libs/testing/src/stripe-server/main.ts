// `npm run stripe:test-server`: the Stripe-compatible test server as its own process, for the demo.
//   STRIPE_TEST_SERVER_PORT (default 12111), STRIPE_TEST_SERVER_HOST (default 127.0.0.1),
//   STRIPE_TEST_WEBHOOK_URL (e.g. http://127.0.0.1:3000/v1/webhooks/stripe) with STRIPE_WEBHOOK_SECRET.
// Control it over HTTP under /_control (control.ts).
import { StripeTestServer } from './server';

async function main(): Promise<void> {
  const port = Number(process.env.STRIPE_TEST_SERVER_PORT ?? '12111');
  const host = process.env.STRIPE_TEST_SERVER_HOST ?? '127.0.0.1';
  const webhookUrl = process.env.STRIPE_TEST_WEBHOOK_URL;
  const secret = process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_tollgate_test_server';
  const server = await new StripeTestServer({ port, host, webhook: webhookUrl ? { url: webhookUrl, secret } : undefined }).start();
  console.log(`Stripe test server on ${server.url}`);
  console.log(`  api:       STRIPE_API_BASE=${server.url} STRIPE_SECRET_KEY=sk_test_<anything>`);
  console.log(
    `  webhooks:  ${webhookUrl ? `${webhookUrl} signed with STRIPE_WEBHOOK_SECRET=${secret}` : 'off (set STRIPE_TEST_WEBHOOK_URL, or PUT /_control/webhook)'}`,
  );
  console.log(`  control:   ${server.url}/_control/state`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`stripe test server: ${(error as Error).message}`);
  process.exit(1);
});
