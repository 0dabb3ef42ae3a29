// @tollgate/testing: what tests import without starting the api or the billing module (those are the *-harness
// entries): databases, fake servers (LLM, Stripe, a webhook receiver), the worker process, JSON responses and
// adversarial input.
export * from './billing-data';
export * from './db';
export * from './tcp-proxy';
export * from './worker-process';
export * from './probe';
export * from './stripe-server';
export * from './webhook-receiver';
export * from './fake-llm';
export * from './json';
export * from './adversarial';
