// Identifies "the same call made again": a hash of the provider, the operation and the request
// parameters. Two 32-bit FNV-1a hashes with different offsets, so an accidental match (which would only
// mislabel retry_of, never change a count) is about one in 2^64.

function fnv1a(text: string, offset: number): number {
  let hash = offset;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function fingerprint(provider: string, operation: string, params: unknown): string | undefined {
  let text: string;
  try {
    text = `${provider}\u0000${operation}\u0000${JSON.stringify(params)}`;
  } catch {
    return undefined;
  }
  return fnv1a(text, 0x811c9dc5).toString(36) + fnv1a(text, 0x050c5d1f).toString(36);
}
