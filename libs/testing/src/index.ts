// @tollgate/testing: what tests import without starting the api or the billing module (those are the
// *-harness entries): databases, fakes and fake servers, the worker process, JSON responses, adversarial input.
export * from './db';
export * from './tcp-proxy';
export * from './worker-process';
export * from './probe';
export * from './stripe-server';
export * from './fake-llm';
export * from './json';
export * from './adversarial';
