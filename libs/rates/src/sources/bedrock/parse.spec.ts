import { MalformedSourceError } from '../../source-errors';
import { readFixture } from '../../test-fixtures';
import { mergeBedrockCards, parseBedrockPriceList, parseBedrockRegionIndex } from './parse';
import { tokensPerUnit } from './units';

const AWS = 'aws-bedrock/offers/v1.0/aws';

describe('AWS Price List bulk files for Bedrock', () => {
  const fm = parseBedrockPriceList(readFixture(`${AWS}/AmazonBedrockFoundationModels/20260801000000/us-east-1/index.json`));
  const legacy = parseBedrockPriceList(readFixture(`${AWS}/AmazonBedrock/20260801000000/us-east-1/index.json`));
  const prices = (cards: typeof fm.cards, model: string) =>
    Object.fromEntries(Object.entries(cards.find((c) => c.model === model)!.prices).map(([k, v]) => [k, v!.toFixed()]));

  it('reads the region index', () => {
    expect(parseBedrockRegionIndex(readFixture(`${AWS}/AmazonBedrock/current/region_index.json`))).toEqual([
      { regionCode: 'us-east-1', url: '/offers/v1.0/aws/AmazonBedrock/20260801000000/us-east-1/index.json' },
      { regionCode: 'eu-central-1', url: '/offers/v1.0/aws/AmazonBedrock/20260801000000/eu-central-1/index.json' },
    ]);
  });

  it('divides per-1K prices (AmazonBedrock) exactly into per-token prices', () => {
    // Nova Pro: 0.0008 / 1,000 = 0.0000008; 0.0032 / 1,000 = 0.0000032; cache read 0.0002 / 1,000 = 0.0000002
    expect(prices(legacy.cards, 'us-east-1/amazon.nova-pro-v1:0')).toEqual({
      input_tokens: '0.0000008',
      output_tokens: '0.0000032',
      cache_read_tokens: '0.0000002',
    });
    expect(prices(legacy.cards, 'us-east-1/amazon.nova-micro-v1:0')).toEqual({
      input_tokens: '0.000000035',
      output_tokens: '0.00000014',
    });
  });

  it('divides per-1M prices (AmazonBedrockFoundationModels) and separates regional from global rates', () => {
    // Claude Sonnet 4.5 regional 3.3 / 1,000,000 = 0.0000033; global 3 / 1,000,000 = 0.000003
    expect(prices(fm.cards, 'us-east-1/anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({
      input_tokens: '0.0000033',
      output_tokens: '0.0000165',
      cache_read_tokens: '0.00000033',
      cache_write_tokens: '0.000004125',
      cache_write_1h_tokens: '0.0000066',
    });
    expect(prices(fm.cards, 'global/anthropic.claude-sonnet-4-5-20250929-v1:0').input_tokens).toBe('0.000003');
    // The snake_case usage types of newer listings.
    expect(prices(fm.cards, 'global/anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({
      input_tokens: '0.000001',
      output_tokens: '0.000005',
      cache_read_tokens: '0.0000001',
      cache_write_1h_tokens: '0.000002',
    });
  });

  it('skips batch, flex, provisioned and unnamed models with a reason', () => {
    expect(fm.skipped.map((s) => s.reason)).toEqual([
      'usagetype USE1-MP:USE1_InputTokenCount_Batch-Units is batch',
      'usagetype USE1-MP:USE1_input_tokens_flex-Units is the flex service tier',
    ]);
    expect(legacy.skipped.map((s) => s.reason)).toEqual([
      'feature Batch Inference is not on-demand inference',
      'no Bedrock model id for "Titan Text G1 - Express" in the model name table',
      'no Bedrock model id for "Titan Text G1 - Express" in the model name table',
      'feature Provisioned Throughput is not on-demand inference',
    ]);
    // With the name in a configured table, the model is priced.
    const named = parseBedrockPriceList(readFixture(`${AWS}/AmazonBedrock/20260801000000/us-east-1/index.json`), {
      modelNames: { 'Titan Text G1 - Express': 'amazon.titan-text-express-v1' },
    });
    expect(prices(named.cards, 'us-east-1/amazon.titan-text-express-v1').output_tokens).toBe('0.0000006');
  });

  it('merges regions and offers, first listing wins', () => {
    const eu = parseBedrockPriceList(readFixture(`${AWS}/AmazonBedrock/20260801000000/eu-central-1/index.json`));
    const merged = mergeBedrockCards([fm, legacy, eu]);
    expect(merged.cards.map((c) => c.model).sort()).toContain('eu-central-1/amazon.nova-pro-v1:0');
    expect(merged.cards).toHaveLength(fm.cards.length + legacy.cards.length + eu.cards.length);
  });

  it('knows its units and refuses unknown ones', () => {
    expect(tokensPerUnit('1K tokens', 'AmazonBedrock')).toBe(1000n);
    expect(tokensPerUnit('1M tokens', 'AmazonBedrock')).toBe(1000000n);
    expect(tokensPerUnit('Units', 'AmazonBedrockFoundationModels')).toBe(1000000n);
    expect(tokensPerUnit('Units', 'AmazonBedrock')).toBeNull();
    expect(tokensPerUnit('Hours', 'AmazonBedrock')).toBeNull();
  });

  it('refuses a file that is not a Bedrock price list', () => {
    expect(() => parseBedrockPriceList({ offerCode: 'AmazonEC2', products: {}, terms: {} })).toThrow(MalformedSourceError);
    expect(() => parseBedrockPriceList({ offerCode: 'AmazonBedrock' })).toThrow(MalformedSourceError);
  });
});
