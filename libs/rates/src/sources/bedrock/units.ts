/** The two Price List offers that price Bedrock models. */
export const BEDROCK_OFFERS = ['AmazonBedrock', 'AmazonBedrockFoundationModels'] as const;
export type BedrockOffer = (typeof BEDROCK_OFFERS)[number];

/**
 * Tokens covered by one priced unit. AmazonBedrock prices per 1K tokens; AmazonBedrockFoundationModels
 * (marketplace-style listings, unit "Units") per 1M tokens. An explicit unit text wins over the offer's
 * default; an unknown unit is refused (null) rather than guessed, since a wrong guess is a 1000× error.
 */
export function tokensPerUnit(unit: string, offer: BedrockOffer): bigint | null {
  const text = unit.trim().toLowerCase().replace(/,/g, '');
  if (/^(1k|1000|thousand) (input |output )?tokens?$/.test(text)) return 1000n;
  if (/^(1m|1000000|million) (input |output )?tokens?$/.test(text)) return 1_000_000n;
  if (/^tokens?$/.test(text)) return 1n;
  if (text === 'units' && offer === 'AmazonBedrockFoundationModels') return 1_000_000n;
  return null;
}
