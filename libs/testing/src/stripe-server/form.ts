// Stripe's v1 API takes application/x-www-form-urlencoded bodies (and query strings) with bracket notation,
// the way stripe-node writes them: `metadata[k]=v`, `lines[0][amount]=1230`, `lines[0][period][start]=…`,
// `expand[]=x`. Parsed without a schema, so every container is an object keyed by strings; `list()` reads one
// whose keys are 0..n-1 as an array (a metadata key may itself be "0", so the route decides).

export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormError extends Error {}

function decode(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

function keyPath(rawKey: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
  if (!match) throw new FormError(`Invalid parameter name: ${rawKey}`);
  const segments = [match[1]];
  for (const part of match[2].matchAll(/\[([^[\]]*)\]/g)) segments.push(part[1]);
  return segments;
}

export function parseForm(text: string): FormObject {
  const root: FormObject = {};
  if (text === '') return root;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const path = keyPath(rawKey);
    let node: FormObject = root;
    for (let i = 0; i < path.length; i++) {
      // `expand[]=a&expand[]=b`: an empty index appends.
      const segment = path[i] === '' ? String(Object.keys(node).length) : path[i];
      if (i === path.length - 1) {
        node[segment] = value;
        break;
      }
      const next = node[segment];
      if (next === undefined || typeof next === 'string') {
        // `metadata=` (unset all) followed by `metadata[k]=v`: the later, nested form wins.
        const created: FormObject = {};
        node[segment] = created;
        node = created;
      } else {
        node = next;
      }
    }
  }
  return root;
}

/** An indexed container (`lines[0]…lines[n-1]`) as an array, or undefined when it is not one. */
export function list(value: FormValue | undefined): FormValue[] | undefined {
  if (value === undefined || typeof value === 'string') return undefined;
  const keys = Object.keys(value);
  if (!keys.every((key) => /^\d+$/.test(key))) return undefined;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => value[key]);
}

/** A stable rendering of parameters, for comparing two requests made with one idempotency key. */
export function canonical(value: FormValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
    .join(',')}}`;
}
