/** Cross-region inference profile prefixes -> the region whose price applies by default (configurable). */
export const DEFAULT_BEDROCK_GEOGRAPHIES: Readonly<Record<string, string>> = {
  us: 'us-east-1',
  eu: 'eu-central-1',
  apac: 'ap-northeast-1',
  jp: 'ap-northeast-1',
  au: 'ap-southeast-2',
  ca: 'ca-central-1',
  'us-gov': 'us-gov-west-1',
};

export interface BedrockModelRef {
  /** The model id without profile prefix or region, e.g. `anthropic.claude-sonnet-4-5-20250929-v1:0`. */
  readonly baseId: string;
  /** `us`, `eu`, `apac`, `global`… when the id is a cross-region inference profile. */
  readonly profile: string | null;
  /** A region named in the id itself (`bedrock/us-east-1/…`, `us-east-1/…`). */
  readonly region: string | null;
}

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const PROFILE = /^(us-gov|us|eu|apac|jp|au|ca|global)\.(.+)$/;

/** Splits `bedrock/us-east-1/x`, `us-east-1/x`, `us.x`, `global.x`, `arn:…:inference-profile/us.x` and `x`. */
export function parseBedrockModelId(model: string): BedrockModelRef {
  let rest = model.trim();
  const arn = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):[^:]*:(?:inference-profile|foundation-model)\/(.+)$/.exec(rest);
  let region: string | null = null;
  if (arn !== null) {
    region = arn[1]!;
    rest = arn[2]!;
  }
  if (rest.startsWith('bedrock/')) rest = rest.slice('bedrock/'.length);
  const slash = rest.indexOf('/');
  if (slash > 0 && REGION.test(rest.slice(0, slash))) {
    region = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  const profile = PROFILE.exec(rest);
  return profile === null ? { baseId: rest, profile: null, region } : { baseId: profile[2]!, profile: profile[1]!, region };
}
