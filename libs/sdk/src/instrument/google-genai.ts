import type { Tollgate } from '../client';
import { type GeminiResponseLike, GeminiStreamUsage, normaliseGeminiUsage } from '../normalise/gemini';
import { CallObserver } from './observer';
import { guarded, tapIterable } from './tap';

type Generate = (params: Record<string, unknown>) => Promise<unknown>;

/** The part of a `@google/genai` client this wraps (structural: the package is never imported). */
export interface GoogleGenAILike {
  models: {
    generateContent(params: never): Promise<unknown>;
    generateContentStream(params: never): Promise<unknown>;
  };
}

/** "models/gemini-2.5-flash" → "gemini-2.5-flash": the request's model as the response names it. */
function modelName(model: unknown): string | undefined {
  return typeof model === 'string' ? model.replace(/^models\//, '') : undefined;
}

/**
 * Meters a Google Gen AI client's `models.generateContent` and `models.generateContentStream` (Gemini API or
 * Vertex AI), usage read from `usageMetadata`. With automatic continuation the client sums its hops' usage
 * into what it returns. Returns the same client.
 */
export function wrapGoogleGenAI<C extends GoogleGenAILike>(client: C, tollgate: Tollgate): C {
  const models = client.models as unknown as { generateContent: Generate; generateContentStream: Generate };
  const generate = models.generateContent.bind(models);
  models.generateContent = (params) => {
    const observer = new CallObserver(tollgate, 'google', 'generateContent', params, modelName(params?.model));
    return guarded(observer, () =>
      generate(params).then(
        (data) => {
          const response = data as GeminiResponseLike;
          const usage = response?.usageMetadata ?? response?.usage_metadata;
          observer.succeed(usage ? normaliseGeminiUsage(usage) : undefined, response?.modelVersion ?? response?.model_version);
          return data;
        },
        (error: unknown) => {
          observer.fail(error);
          throw error;
        },
      ),
    ) as Promise<unknown>;
  };
  const generateStream = models.generateContentStream.bind(models);
  models.generateContentStream = (params) => {
    const observer = new CallObserver(tollgate, 'google', 'generateContentStream', params, modelName(params?.model));
    return guarded(observer, () =>
      generateStream(params).then(
        (data) => {
          const chunks = data as AsyncIterable<GeminiResponseLike>;
          // The client returns an async generator: the agent gets one that observes each chunk on its way.
          return tapIterable(() => chunks[Symbol.asyncIterator](), observer, new GeminiStreamUsage())();
        },
        (error: unknown) => {
          observer.fail(error);
          throw error;
        },
      ),
    ) as Promise<unknown>;
  };
  return client;
}
