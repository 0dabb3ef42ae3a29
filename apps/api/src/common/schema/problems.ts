import type { z } from 'zod';

/** One problem of a request, as `details` lists it: where (`charges[0].markup`) and what. */
export interface Problem {
  field: string;
  message: string;
}

function fieldOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** zod's issues as problems: one per field, unknown fields one each, nested issues flattened. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ field: fieldOf([...path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_key' || issue.code === 'invalid_element') {
      // A record's key (or a map's element) that is itself invalid: say which key, and why.
      out.push(
        ...problemsOf(issue.issues, [...path, ...(issue.code === 'invalid_key' ? [] : [issue.key as PropertyKey])]).map((p) => ({
          ...p,
          message: issue.code === 'invalid_key' ? `key ${p.message}` : p.message,
        })),
      );
    } else {
      out.push({ field: fieldOf(path), message: issue.message });
    }
  }
  return out;
}

/** "field message; field message", for the error's `message`. */
export function describe(problems: readonly Problem[]): string {
  return problems.map((p) => (p.field ? `${p.field} ${p.message}` : p.message)).join('; ');
}
