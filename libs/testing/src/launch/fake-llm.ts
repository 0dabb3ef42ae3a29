// The fake LLM server for test suites written in other languages:
//   npx tsx libs/testing/src/launch/fake-llm.ts
// Prints one JSON line {"url"}, then takes JSON commands on stdin, one per line, each answered with a line
// {"ok", "result"}: {"fail": {"status": 500}, "times": 1}, {"usage": {"provider": "openai", "usage": {…} | null}} (null: back to the default),
// {"requests": true} (the requests received so far: provider, path, body), {"reset": true}.
// Stops when stdin closes.
import { defaultUsage, FakeLlm } from '../fake-llm';
import type { FakeProvider, InjectedFailure } from '../fake-llm';
import { serveCommands } from './lines';

interface Command {
  fail?: InjectedFailure;
  times?: number;
  usage?: { provider: FakeProvider; usage: Record<string, unknown> | null };
  requests?: boolean;
}

async function main(): Promise<void> {
  const llm = await new FakeLlm().start();
  process.stdout.write(JSON.stringify({ url: llm.url }) + '\n');
  serveCommands(
    async (line) => {
      const command = JSON.parse(line) as Command;
      if (command.fail) llm.failNext(command.fail, command.times ?? 1);
      else if (command.usage) llm.setUsage(command.usage.provider, command.usage.usage ?? defaultUsage[command.usage.provider]);
      else if (command.requests) return llm.requests.map(({ provider, path, body }) => ({ provider, path, body }));
      else throw new Error(`unknown command ${line}`);
      return undefined;
    },
    () => llm.close(),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
