import { applyDecorators, Body, HttpCode, Param, type PipeTransform, Query } from '@nestjs/common';
import type { z } from 'zod';
import { ApiError } from '../api-error';
import { describe, type Problem, problemsOf } from './problems';

// Every body, query and path of the API goes through a SchemaPipe, declared with ValidBody, ValidQuery or
// ValidPath; Responds declares what an operation answers. The same declarations make the OpenAPI document
// (openapi.ts), so the document cannot say one thing while the validator does another.

export type Where = 'body' | 'query' | 'path';

/** `?cursor=` is the query string's null: the same as leaving the parameter out. */
function withoutEmpty(query: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((query as Record<string, unknown> | undefined) ?? {})) if (v !== '') out[k] = v;
  return out;
}

export function validationError(where: Where, problems: Problem[]): ApiError {
  const details = problems.map((p) => (p.field === '' ? { field: where, message: p.message } : p));
  return ApiError.invalidRequest(`invalid ${where === 'path' ? 'path' : where}: ${describe(details)}`, details);
}

/** Parses one part of a request with its schema; every problem is listed, in the API's error shape. */
export class SchemaPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    readonly schema: T,
    readonly where: Where,
  ) {}

  transform(value: unknown): z.output<T> {
    const result = this.schema.safeParse(
      this.where === 'query' ? withoutEmpty(value) : (value ?? (this.where === 'body' ? undefined : {})),
    );
    if (!result.success) throw validationError(this.where, problemsOf(result.error.issues));
    return result.data;
  }
}

export interface RouteSchemas {
  body?: { schema: z.ZodType; documentedAs: z.ZodType };
  query?: z.ZodType;
  path?: z.ZodType;
  responses: { status: number; schema: z.ZodType; description: string }[];
  /** Error codes the operation can answer beyond the ones every operation of its kind can. */
  errors: { status: number; codes: string[] }[];
}

/** Keyed by operationId (`<Controller>_<method>`, as @nestjs/swagger names operations). */
export const ROUTE_SCHEMAS = new Map<string, RouteSchemas>();

function route(target: object, key: string | symbol | undefined): RouteSchemas {
  const id = `${(target as { constructor: { name: string } }).constructor.name}_${String(key)}`;
  let r = ROUTE_SCHEMAS.get(id);
  if (!r) ROUTE_SCHEMAS.set(id, (r = { responses: [], errors: [] }));
  return r;
}

/**
 * The JSON body, parsed with `schema`. `documentedAs` is for POST /v1/events only, whose events are each
 * checked on their own after the envelope (validate-event.ts; its property spec keeps it equal to the schema).
 */
export function ValidBody<T extends z.ZodType>(schema: T, options: { documentedAs?: z.ZodType } = {}): ParameterDecorator {
  return (target, key, index) => {
    route(target, key).body = { schema, documentedAs: options.documentedAs ?? schema };
    Body(new SchemaPipe(schema, 'body'))(target, key, index);
  };
}

/** The query string as an object of strings, parsed with an object `schema`; unknown parameters are refused. */
export function ValidQuery<T extends z.ZodType>(schema: T): ParameterDecorator {
  return (target, key, index) => {
    route(target, key).query = schema;
    Query(new SchemaPipe(schema, 'query'))(target, key, index);
  };
}

/** The path parameters, parsed with an object `schema`. */
export function ValidPath<T extends z.ZodType>(schema: T): ParameterDecorator {
  return (target, key, index) => {
    route(target, key).path = schema;
    Param(new SchemaPipe(schema, 'path'))(target, key, index);
  };
}

/** What the operation answers with this status (also the status it sends), and the errors it adds. */
export function Responds(status: number, schema: z.ZodType, description: string, errors: Record<number, string[]> = {}): MethodDecorator {
  const record: MethodDecorator = (target, key) => {
    const r = route(target, key);
    r.responses.push({ status, schema, description });
    for (const [s, codes] of Object.entries(errors)) r.errors.push({ status: Number(s), codes });
  };
  return status < 300 ? applyDecorators(record, HttpCode(status)) : record;
}
