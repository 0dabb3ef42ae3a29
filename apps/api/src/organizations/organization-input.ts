import { ApiError } from '../common/api-error';

// Organisation bodies: POST /v1/organizations {"name", "invoice_prefix"?}, PATCH /v1/organization
// {"name"?, "invoice_prefix"?}. A prefix is 1 to 16 letters, digits or dashes, starting with a letter or digit.

const PREFIX = /^[A-Za-z0-9][A-Za-z0-9-]{0,15}$/;

export function readOrganizationInput(body: unknown, creating: boolean): { name?: string; invoice_prefix?: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ApiError.invalidRequest('the body must be a JSON object');
  const o = body as Record<string, unknown>;
  const problems: { field: string; message: string }[] = [];
  for (const k of Object.keys(o)) if (k !== 'name' && k !== 'invoice_prefix') problems.push({ field: k, message: 'is not a field of an organisation' });
  const out: { name?: string; invoice_prefix?: string } = {};
  if (o.name !== undefined && o.name !== null) {
    if (typeof o.name !== 'string' || o.name.trim().length === 0 || [...o.name].length > 255 || o.name.includes('\u0000')) {
      problems.push({ field: 'name', message: 'must be a non-empty string of at most 255 characters' });
    } else out.name = o.name;
  } else if (creating) problems.push({ field: 'name', message: 'is required' });
  if (o.invoice_prefix !== undefined && o.invoice_prefix !== null) {
    if (typeof o.invoice_prefix !== 'string' || !PREFIX.test(o.invoice_prefix)) {
      problems.push({ field: 'invoice_prefix', message: 'must be 1 to 16 letters, digits or dashes, starting with a letter or digit' });
    } else out.invoice_prefix = o.invoice_prefix;
  }
  if (problems.length > 0) throw ApiError.invalidRequest(`invalid organisation: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`, problems);
  return out;
}
