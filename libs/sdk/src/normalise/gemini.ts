import type { NormalisedUsage } from './openai-chat';
import { compact, count, minus } from './counts';

interface ModalityCount {
  modality?: string;
  tokenCount?: number | null;
}

/** Gemini `generateContent` `usageMetadata`. */
export interface GeminiUsageMetadata {
  promptTokenCount?: number | null;
  candidatesTokenCount?: number | null;
  cachedContentTokenCount?: number | null;
  thoughtsTokenCount?: number | null;
  toolUsePromptTokenCount?: number | null;
  promptTokensDetails?: ModalityCount[] | null;
  cacheTokensDetails?: ModalityCount[] | null;
  candidatesTokensDetails?: ModalityCount[] | null;
}

function audio(details: ModalityCount[] | null | undefined): number {
  let total = 0;
  for (const d of details ?? []) if (d.modality === 'AUDIO') total += count(d.tokenCount);
  return total;
}

/**
 * promptTokenCount includes the cached tokens; its per-modality details (AUDIO) include the cached ones
 * of that modality (cacheTokensDetails). toolUsePromptTokenCount is extra input. thoughtsTokenCount is
 * separate from candidatesTokenCount.
 */
export function normaliseGeminiUsage(raw: GeminiUsageMetadata): NormalisedUsage {
  const cached = count(raw.cachedContentTokenCount);
  const audioIn = minus(audio(raw.promptTokensDetails), audio(raw.cacheTokensDetails));
  const audioOut = audio(raw.candidatesTokensDetails);
  return {
    usage: compact({
      input_tokens: minus(count(raw.promptTokenCount) + count(raw.toolUsePromptTokenCount), cached, audioIn),
      cache_read_tokens: cached,
      cache_write_tokens: 0,
      cache_write_1h_tokens: 0,
      output_tokens: minus(count(raw.candidatesTokenCount), audioOut),
      reasoning_tokens: count(raw.thoughtsTokenCount),
      audio_input_tokens: audioIn,
      audio_output_tokens: audioOut,
      images: 0,
      web_searches: 0,
      requests: 0,
    }),
  };
}

/** streamGenerateContent: every chunk's usageMetadata is the running total; the last one counts. */
export class GeminiStreamUsage {
  model: string | undefined;
  private last: GeminiUsageMetadata | undefined;

  observe(chunk: { modelVersion?: string; usageMetadata?: GeminiUsageMetadata }): void {
    if (chunk.modelVersion) this.model = chunk.modelVersion;
    if (chunk.usageMetadata) this.last = chunk.usageMetadata;
  }

  result(): NormalisedUsage | undefined {
    return this.last ? normaliseGeminiUsage(this.last) : undefined;
  }
}
