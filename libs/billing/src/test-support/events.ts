import { randomBytes } from 'node:crypto';
import { USAGE_DIMENSIONS } from '@tollgate/pricing';
import type { IngestEvent } from '../events/ingest-events';

let seq = 0;

/** A valid gpt-4o event for the medium tests (what the api would have validated). */
export function testEvent(customer: string, at = Date.now() - 1000): IngestEvent {
  return {
    transactionId: `test-${process.pid}-${seq++}`,
    externalCustomerId: customer,
    occurredAt: at,
    timestampProvided: true,
    provider: 'openai',
    model: 'gpt-4o',
    usage: USAGE_DIMENSIONS.map((d) => (d === 'input_tokens' ? 1000 : d === 'output_tokens' ? 100 : d === 'requests' ? 1 : 0)),
    cost: null,
    taskId: null,
    traceId: null,
    sessionId: null,
    feature: null,
    status: 'success',
    retryOf: null,
    metadata: null,
    contentHash: randomBytes(32),
  };
}
