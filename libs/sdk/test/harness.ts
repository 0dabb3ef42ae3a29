import { FakeLlm } from '@tollgate/testing';
import { Tollgate, type TollgateOptions } from '../src/client';
import { FakeIngest } from './fake-ingest';

/** A fake LLM, a fake ingest API and a Tollgate client between them, for instrumentation tests. */
export interface Rig {
  llm: FakeLlm;
  ingest: FakeIngest;
  tollgate: Tollgate;
  /** Flushes, then the stored events in the order they were tracked. */
  events(): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

export async function startRig(options: TollgateOptions = {}): Promise<Rig> {
  const llm = await new FakeLlm().start();
  const ingest = await new FakeIngest().start();
  const tollgate = new Tollgate({ apiKey: 'tg_ingest_test', baseUrl: ingest.url, flushOnExit: false, ...options });
  return {
    llm,
    ingest,
    tollgate,
    async events() {
      await tollgate.flush();
      return [...ingest.stored.values()];
    },
    async close() {
      await tollgate.shutdown({ timeoutMs: 100 });
      await Promise.all([llm.close(), ingest.close()]);
    },
  };
}
