import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messages } from './anthropic';
import { converse, invoke } from './bedrock';
import { generateContent } from './gemini';
import { mistralChat } from './mistral';
import { chatCompletions, responses } from './openai';
import { json } from './reply';
import { defaultUsage, type FakeProvider, type ProviderUsage } from './usage';

export interface FakeLlmRequest {
  provider: FakeProvider;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

/** A failure the next calls get instead of an answer, in the provider's own error shape. */
export interface InjectedFailure {
  status: number;
  message?: string;
}

/**
 * A fake LLM server speaking the wire protocols of OpenAI (Chat Completions, Responses), Anthropic
 * Messages, Gemini generateContent, Bedrock Converse / ConverseStream / InvokeModel /
 * InvokeModelWithResponseStream, Mistral chat and OpenRouter, JSON and streamed, with usage in each
 * provider's shape. Point the real SDKs at `url` (see the `*BaseUrl` getters).
 */
export class FakeLlm {
  readonly requests: FakeLlmRequest[] = [];
  private readonly usage = new Map<FakeProvider, ProviderUsage>();
  private readonly failures: InjectedFailure[] = [];
  private server: Server | undefined;
  url = '';

  get openaiBaseUrl(): string {
    return `${this.url}/v1`;
  }
  get anthropicBaseUrl(): string {
    return this.url;
  }
  get openrouterBaseUrl(): string {
    return `${this.url}/api/v1`;
  }
  get geminiBaseUrl(): string {
    return `${this.url}/v1beta`;
  }
  get bedrockEndpoint(): string {
    return this.url;
  }
  get mistralServerUrl(): string {
    return `${this.url}/mistral`;
  }

  /** The usage a provider reports from now on (its own shape); default: `defaultUsage`. */
  setUsage(provider: FakeProvider, usage: ProviderUsage): this {
    this.usage.set(provider, usage);
    return this;
  }

  usageOf(provider: FakeProvider): ProviderUsage {
    return this.usage.get(provider) ?? defaultUsage[provider];
  }

  /** The next `times` calls fail with this status. */
  failNext(failure: InjectedFailure, times = 1): this {
    for (let i = 0; i < times; i++) this.failures.push(failure);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { message: String(error) } });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const path = (req.url ?? '').split('?')[0];
    const route = this.route(req.method ?? 'GET', decodeURIComponent(path), body);
    if (!route) return json(res, 404, { error: { message: `fake LLM: no route for ${req.method} ${path}` } });
    this.requests.push({ provider: route.provider, path, headers: req.headers, body });
    const failure = this.failures.shift();
    if (failure) return fail(res, route.provider, failure);
    route.serve({ body, model: route.model, usage: this.usageOf(route.usage ?? route.provider), res });
  }

  private route(method: string, path: string, body: Record<string, unknown>) {
    if (method !== 'POST') return undefined;
    const model = typeof body.model === 'string' ? body.model : 'unknown';
    type Route = { provider: FakeProvider; usage?: FakeProvider; model: string; serve: (call: Parameters<typeof messages>[0]) => void };
    const routes: Array<[RegExp, (m: RegExpExecArray) => Route]> = [
      [/^\/v1\/chat\/completions$/, () => ({ provider: 'openai', model, serve: (c) => chatCompletions(c) })],
      [/^\/v1\/responses$/, () => ({ provider: 'openai', usage: 'openaiResponses', model, serve: responses })],
      [/^\/api\/v1\/chat\/completions$/, () => ({ provider: 'openrouter', model, serve: (c) => chatCompletions(c, true) })],
      [/^\/v1\/messages$/, () => ({ provider: 'anthropic', model, serve: messages })],
      [
        /^\/v1beta\/models\/([^:]+):generateContent$/,
        (m) => ({ provider: 'gemini', model: m[1], serve: (c) => generateContent(c, false) }),
      ],
      [
        /^\/v1beta\/models\/([^:]+):streamGenerateContent$/,
        (m) => ({ provider: 'gemini', model: m[1], serve: (c) => generateContent(c, true) }),
      ],
      [/^\/model\/([^/]+)\/converse$/, (m) => ({ provider: 'bedrock', model: m[1], serve: (c) => converse(c, false) })],
      [/^\/model\/([^/]+)\/converse-stream$/, (m) => ({ provider: 'bedrock', model: m[1], serve: (c) => converse(c, true) })],
      [/^\/model\/([^/]+)\/invoke$/, (m) => ({ provider: 'bedrock', usage: 'bedrockInvoke', model: m[1], serve: (c) => invoke(c, false) })],
      [
        /^\/model\/([^/]+)\/invoke-with-response-stream$/,
        (m) => ({ provider: 'bedrock', usage: 'bedrockInvoke', model: m[1], serve: (c) => invoke(c, true) }),
      ],
      [/^\/mistral\/v1\/chat\/completions$/, () => ({ provider: 'mistral', model, serve: mistralChat })],
    ];
    for (const [pattern, make] of routes) {
      const match = pattern.exec(path);
      if (match) return make(match);
    }
    return undefined;
  }
}

function fail(res: ServerResponse, provider: FakeProvider, failure: InjectedFailure): void {
  const message = failure.message ?? 'The server had an error while processing your request.';
  const status = failure.status;
  if (provider === 'anthropic') {
    const type =
      status === 429 ? 'rate_limit_error' : status === 529 ? 'overloaded_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return json(res, status, { type: 'error', error: { type, message } }, { 'request-id': 'req_fake' });
  }
  if (provider === 'mistral') {
    return json(res, status, {
      object: 'error',
      message,
      type: status === 429 ? 'rate_limited' : 'invalid_request_error',
      param: null,
      code: String(status),
    });
  }
  if (provider === 'gemini') {
    return json(res, status, {
      error: { code: status, message, status: status === 429 ? 'RESOURCE_EXHAUSTED' : status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT' },
    });
  }
  if (provider === 'bedrock') {
    const type = status === 429 ? 'ThrottlingException' : status >= 500 ? 'InternalServerException' : 'ValidationException';
    return json(res, status, { message }, { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
  }
  const type = status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  json(res, status, { error: { message, type, param: null, code: null } });
}

export async function startFakeLlm(): Promise<FakeLlm> {
  return new FakeLlm().start();
}
