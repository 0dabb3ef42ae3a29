/**
 * The Price List names a model by its marketing name (`model` in AmazonBedrock, `servicename` without
 * " (Amazon Bedrock Edition)" in AmazonBedrockFoundationModels), never by its Bedrock model id. This table
 * maps one to the other; it is configuration (pass your own to the parser), and a name missing from it is
 * reported as skipped so it can be added.
 */
export const DEFAULT_BEDROCK_MODEL_NAMES: Readonly<Record<string, string>> = {
  'Nova Micro': 'amazon.nova-micro-v1:0',
  'Nova Lite': 'amazon.nova-lite-v1:0',
  'Nova Pro': 'amazon.nova-pro-v1:0',
  'Nova Premier': 'amazon.nova-premier-v1:0',
  'Llama 3.3 70B': 'meta.llama3-3-70b-instruct-v1:0',
  'Llama 3.1 8B': 'meta.llama3-1-8b-instruct-v1:0',
  'Llama 3.1 70B': 'meta.llama3-1-70b-instruct-v1:0',
  'Claude 3 Haiku': 'anthropic.claude-3-haiku-20240307-v1:0',
  'Claude 3.5 Haiku': 'anthropic.claude-3-5-haiku-20241022-v1:0',
  'Claude 3.7 Sonnet': 'anthropic.claude-3-7-sonnet-20250219-v1:0',
  'Claude Sonnet 4': 'anthropic.claude-sonnet-4-20250514-v1:0',
  'Claude Sonnet 4.5': 'anthropic.claude-sonnet-4-5-20250929-v1:0',
  'Claude Haiku 4.5': 'anthropic.claude-haiku-4-5-20251001-v1:0',
  'Claude Opus 4.1': 'anthropic.claude-opus-4-1-20250805-v1:0',
};
