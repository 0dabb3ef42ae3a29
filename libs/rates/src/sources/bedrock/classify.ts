import type { UsageDimension } from '@tollgate/pricing';
import type { BedrockOffer } from './units';

export type RateScope = 'regional' | 'global';

export type Classified =
  { readonly name: string; readonly dimension: UsageDimension; readonly scope: RateScope } | { readonly skip: string };

const LEGACY_INFERENCE_TYPES: Readonly<Record<string, UsageDimension>> = {
  'Input tokens': 'input_tokens',
  'Output tokens': 'output_tokens',
  'Prompt cache read input tokens': 'cache_read_tokens',
  'Prompt cache write input tokens': 'cache_write_tokens',
};

// AmazonBedrockFoundationModels usage types come in two spellings:
//   USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units   and   USE1-MP:USE1_cache_write_tokens_1h_global_standard-Units
const FM_CAMEL =
  /MP:[A-Za-z0-9]+_(CacheWrite1hInputTokenCount|CacheWriteInputTokenCount|CacheReadInputTokenCount|InputTokenCount|OutputTokenCount)(_Global)?(_Batch)?-Units$/;
const FM_SNAKE = /MP:[A-Za-z0-9]+_(input|output|cache_read|cache_write)_tokens(_1h)?(_global)?(?:_(standard|flex|priority|batch))?-Units$/;

const FM_CAMEL_DIMENSIONS: Readonly<Record<string, UsageDimension>> = {
  InputTokenCount: 'input_tokens',
  OutputTokenCount: 'output_tokens',
  CacheReadInputTokenCount: 'cache_read_tokens',
  CacheWriteInputTokenCount: 'cache_write_tokens',
  CacheWrite1hInputTokenCount: 'cache_write_1h_tokens',
};

const FM_SNAKE_DIMENSIONS: Readonly<Record<string, UsageDimension>> = {
  input: 'input_tokens',
  output: 'output_tokens',
  cache_read: 'cache_read_tokens',
  cache_write: 'cache_write_tokens',
};

/** Which model, dimension and rate scope a Price List product prices; on-demand standard rates only. */
export function classifyBedrockProduct(offer: BedrockOffer, attributes: Record<string, string>): Classified {
  const usagetype = attributes.usagetype ?? '';
  if (offer === 'AmazonBedrock') {
    if (attributes.feature !== undefined && attributes.feature !== 'On-demand Inference') {
      return { skip: `feature ${attributes.feature} is not on-demand inference` };
    }
    const dimension = LEGACY_INFERENCE_TYPES[attributes.inferenceType ?? ''];
    if (dimension === undefined) return { skip: `inferenceType ${attributes.inferenceType ?? '(none)'} is not a token price` };
    if (/batch|latency-optimized|custom-model|provisioned/i.test(usagetype))
      return { skip: `usagetype ${usagetype} is not standard on-demand` };
    const name = attributes.model ?? '';
    if (name === '') return { skip: 'no model attribute' };
    return { name, dimension, scope: /-global$/i.test(usagetype) ? 'global' : 'regional' };
  }
  const name = (attributes.servicename ?? '').replace(/\s*\(Amazon Bedrock Edition\)\s*$/i, '').trim();
  if (name === '') return { skip: 'no servicename attribute' };
  const camel = FM_CAMEL.exec(usagetype);
  if (camel !== null) {
    if (camel[3] !== undefined) return { skip: `usagetype ${usagetype} is batch` };
    return { name, dimension: FM_CAMEL_DIMENSIONS[camel[1]!]!, scope: camel[2] ? 'global' : 'regional' };
  }
  const snake = FM_SNAKE.exec(usagetype);
  if (snake !== null) {
    if (snake[4] !== undefined && snake[4] !== 'standard') return { skip: `usagetype ${usagetype} is the ${snake[4]} service tier` };
    const base = FM_SNAKE_DIMENSIONS[snake[1]!]!;
    const dimension = base === 'cache_write_tokens' && snake[2] ? 'cache_write_1h_tokens' : base;
    return { name, dimension, scope: snake[3] ? 'global' : 'regional' };
  }
  return { skip: `usagetype ${usagetype} is not a token price` };
}
