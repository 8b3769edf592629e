/**
 * The OpenAPI 3.1 document of the engine's HTTP API (SPEC §2, §3, §4), served at
 * GET /api/v1/openapi.json behind the admin token. Nothing in it is written by hand: each
 * route declares its summary and its zod schemas where it is registered (engine/http/
 * api-route.ts), and the document is built from those declarations with `z.toJSONSchema`.
 * test/integration/http/openapi-conformance.test.ts checks real requests and answers
 * against it.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { API_TAGS, route, type ApiAnswer, type ApiRouteSpec } from './api-route.ts';
import { errorAnswer } from './api-schemas.ts';

type JsonSchema = Record<string, unknown>;

/** The routers whose routes the document describes, each with the prefix it is mounted at. */
export interface DocumentedRouter {
  prefix: string;
  specs: readonly ApiRouteSpec[];
}

/** What a path parameter means, unless a route says otherwise (ApiRouteSpec.params). */
const PATH_PARAMS: Record<string, string> = {
  name: 'The function or trigger name.',
  appId: 'The WeChat AppID (wx…).',
  t: 'The table, by integer id or name.',
  id: 'The id of the thing the path names.',
  key: 'The incoming-webhook key the trigger was created with.',
  version: 'The version number, or "active" for the version that runs.',
};

/**
 * Builds JSON Schemas for one document: named components (api-schemas.ts `named`) are
 * collected under #/components/schemas, and a name given two different shapes is a bug.
 */
class SchemaWriter {
  readonly components: Record<string, JsonSchema> = {};

  write(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as JsonSchema;
    const { $schema: _dialect, $defs, ...rest } = json;
    for (const [id, def] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>))
      this.#component(id, def);
    return rewriteRefs(rest) as JsonSchema;
  }

  #component(id: string, def: JsonSchema): void {
    const written = rewriteRefs(def) as JsonSchema;
    const before = this.components[id];
    if (before !== undefined && JSON.stringify(before) !== JSON.stringify(written))
      throw new Error(`The OpenAPI component "${id}" is given two different shapes.`);
    this.components[id] = written;
  }
}

/** `#/$defs/X` (one schema's own definitions) → `#/components/schemas/X` (the document's). */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      k === '$ref' && typeof v === 'string'
        ? v.replace(/^#\/\$defs\//, '#/components/schemas/')
        : rewriteRefs(v),
    ]),
  );
}

/** `/functions/:name` → `/functions/{name}`. */
const openApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** A stable operationId from method and path words: `getApiV1FunctionsName`. */
const operationId = (method: string, path: string) =>
  method +
  path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

function parameters(spec: ApiRouteSpec, writer: SchemaWriter): JsonSchema[] {
  const path = [...spec.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: spec.params?.[name!] ?? PATH_PARAMS[name!] ?? name,
  }));
  if (!spec.query) return path;
  const written = writer.write(spec.query, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  const query = Object.entries(written.properties ?? {}).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return {
      name,
      in: 'query',
      required: written.required?.includes(name) ?? false,
      schema: rest,
      ...(description === undefined ? {} : { description }),
    };
  });
  return [...path, ...query];
}

function content(
  answer: { schema?: z.ZodType; media?: Record<string, z.ZodType> },
  io: 'input' | 'output',
  writer: SchemaWriter,
) {
  const entries = Object.entries(answer.media ?? {}).map(([type, schema]) => [
    type,
    { schema: writer.write(schema, io) },
  ]);
  if (answer.schema)
    entries.unshift(['application/json', { schema: writer.write(answer.schema, io) }]);
  return entries.length ? { content: Object.fromEntries(entries) } : {};
}

/** What any admin route may answer. */
const ADMIN_REFUSALS: Record<number, string> = {
  400: 'Invalid input (E_INVALID_BODY, E_INVALID_QUERY, …).',
  401: 'No or wrong admin token (E_UNAUTHORIZED).',
};

function operation(spec: ApiRouteSpec, path: string, writer: SchemaWriter): JsonSchema {
  const errorContent = { 'application/json': { schema: writer.write(errorAnswer, 'output') } };
  const refusals: Record<number, string> = {
    ...(spec.public ? {} : ADMIN_REFUSALS),
    ...spec.refusals,
  };
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(spec.answers) as [string, ApiAnswer][])
    responses[status] = { description: answer.description, ...content(answer, 'output', writer) };
  for (const [status, description] of Object.entries(refusals))
    responses[status] = { description, content: errorContent };
  responses.default = {
    description: 'Any other refusal, with its code (docs/errors.md).',
    content: errorContent,
  };
  const params = parameters(spec, writer);
  const body = content({ schema: spec.body, media: spec.bodyMedia }, 'input', writer);
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    operationId: operationId(spec.method, path),
    ...(spec.public ? { security: [] } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...('content' in body ? { requestBody: { required: true, ...body } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of the routes the given routers serve. */
export function openApiDocument(
  routers: readonly DocumentedRouter[],
  version = '0.1.0',
): Record<string, unknown> {
  const writer = new SchemaWriter();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { prefix, specs } of routers) {
    for (const spec of specs) {
      const path = openApiPath(prefix + spec.path);
      paths[path] ??= {};
      paths[path][spec.method] = operation(spec, path, writer);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'cloudfn',
      version,
      description:
        'The admin API (under /api/v1, Authorization: Bearer <admin token>) and the public receivers of a cloudfn engine. Errors are {"error":{"code":"E_…","message":"…"}}; every code is in docs/errors.md.',
    },
    servers: [{ url: '/' }],
    security: [{ adminToken: [] }],
    tags: API_TAGS.map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token (data/admin-token or CLOUDFN_ADMIN_TOKEN).',
        },
      },
      schemas: writer.components,
    },
  };
}

const openApiAnswer = z.looseObject({ openapi: z.literal('3.1.0') });

/**
 * Serves the document at GET /openapi.json on the admin router (so /api/v1/openapi.json),
 * built on first request, once every route is registered.
 */
export function registerOpenApiRoute(
  router: Router,
  routers: () => readonly DocumentedRouter[],
): void {
  let document: Record<string, unknown> | undefined;
  route(
    router,
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'engine',
      summary: 'This document.',
      answers: { 200: { description: 'OpenAPI 3.1.', schema: openApiAnswer } },
    },
    (ctx) => {
      document ??= openApiDocument(routers());
      ctx.body = document;
    },
  );
}
