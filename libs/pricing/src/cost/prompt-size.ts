import { PROMPT_DIMENSIONS, type Usage } from '../dimensions';

/** docs/design.md "Rate cards": a request's prompt size is the sum of its input-side dimensions. */
export function promptSize(usage: Usage): bigint {
  let size = 0n;
  for (const dimension of PROMPT_DIMENSIONS) size += usage[dimension];
  return size;
}
