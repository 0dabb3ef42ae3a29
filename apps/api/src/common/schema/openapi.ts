import { z } from 'zod';
import type { RouteSchemas } from './validate';

// The OpenAPI document is generated from the schemas the validators run (docs/input.md):
// named schemas become components, everything else is inlined where it is used.

export const apiSchemas = z.registry<{ id: string }>();

/** A schema the document shows under #/components/schemas/<id>. */
export function named<T extends z.ZodType>(id: string, schema: T): T {
  apiSchemas.add(schema, { id });
  return schema;
}

export type SchemaObject = Record<string, unknown>;

const OPTIONS = {
  target: 'openapi-3.0',
  // Checks written as code (text lengths in characters, decimals) carry their JSON Schema in .meta().
  unrepresentable: 'any',
  // Requests are documented as clients send them; responses have no transforms, so both sides agree.
  io: 'input',
} as const;

const ref = (id: string) => `#/components/schemas/${id}`;

function clean(json: SchemaObject): SchemaObject {
  delete json.$id;
  delete json.$schema;
  return json;
}

/** Every named schema as an OpenAPI 3.0 component. */
export function componentSchemas(): Record<string, SchemaObject> {
  const { schemas } = z.toJSONSchema(apiSchemas, { ...OPTIONS, uri: ref });
  return Object.fromEntries(Object.entries(schemas).map(([id, s]) => [id, clean(s as SchemaObject)]));
}

/** A schema as used in an operation: a $ref when it is named, else inline (named parts as $refs). */
export function schemaObject(schema: z.ZodType): SchemaObject {
  const id = apiSchemas.get(schema)?.id;
  if (id) return { $ref: ref(id) };
  const { schemas } = z.toJSONSchema(registryWith(schema), { ...OPTIONS, uri: ref });
  return clean(schemas[INLINE] as SchemaObject);
}

const INLINE = '__inline';

/** The named schemas plus one more, so an inline schema refers to named ones instead of repeating them. */
function registryWith(schema: z.ZodType) {
  const r = z.registry<{ id: string }>();
  for (const [id, s] of apiSchemas._idmap) r.add(s, { id });
  r.add(schema, { id: INLINE });
  return r;
}

/** The properties of an object schema (query or path parameters), each as a parameter schema. */
export function parameterObjects(schema: z.ZodType, where: 'query' | 'path') {
  const json = schemaObject(schema) as { properties?: Record<string, SchemaObject>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, nullable: _nullable, ...rest } = s as SchemaObject & { description?: string; nullable?: boolean };
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      schema: rest,
      ...(description ? { description } : {}),
    };
  });
}

export interface Operation {
  operationId?: string;
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  security?: unknown[];
}

export interface Document {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> } & Record<string, unknown>;
}

const json = (schema: SchemaObject) => ({ 'application/json': { schema } });

/** The errors every operation of a kind can answer (docs/input.md "Errors"), plus the route's own. */
function errorResponses(op: Operation, r: RouteSchemas, errorRef: SchemaObject): Record<string, unknown> {
  const codes = new Map<number, Set<string>>();
  const add = (status: number, ...c: string[]) => {
    const set = codes.get(status) ?? new Set<string>();
    for (const code of c) set.add(code);
    codes.set(status, set);
  };
  if (r.body) {
    add(400, 'invalid_request', 'invalid_json');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (r.query || r.path) add(400, 'invalid_request');
  if (r.path) add(404, 'not_found');
  if (op.security?.length) {
    add(401, 'unauthorized');
    add(403, 'forbidden');
    add(429, 'rate_limited');
    add(503, 'unavailable');
  }
  for (const e of r.errors) add(e.status, ...e.codes);
  return Object.fromEntries(
    [...codes].map(([status, c]) => [String(status), { description: `error codes: ${[...c].join(', ')}`, content: json(errorRef) }]),
  );
}

/**
 * Fills each operation of the document @nestjs/swagger built (paths, tags, summaries, security) with the
 * schemas its validators run and its responses. Returns the operationIds it found no schemas for.
 */
export function applySchemas(document: Document, routes: Map<string, RouteSchemas>, errorSchema: z.ZodType): string[] {
  const missing: string[] = [];
  const errorRef = schemaObject(errorSchema);
  for (const methods of Object.values(document.paths)) {
    for (const op of Object.values(methods)) {
      const r = op.operationId ? routes.get(op.operationId) : undefined;
      if (!r) {
        missing.push(op.operationId ?? '(no operationId)');
        continue;
      }
      op.parameters = [...(r.path ? parameterObjects(r.path, 'path') : []), ...(r.query ? parameterObjects(r.query, 'query') : [])];
      if (r.body) op.requestBody = { required: true, content: json(schemaObject(r.body.documentedAs)) };
      else delete op.requestBody;
      op.responses = {
        ...Object.fromEntries(
          r.responses.map((s) => [String(s.status), { description: s.description, content: json(schemaObject(s.schema)) }]),
        ),
        ...errorResponses(op, r, errorRef),
      };
    }
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...componentSchemas() } };
  return missing;
}
