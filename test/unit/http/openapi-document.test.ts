import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApiRouteSpec } from '../../../engine/http/api-route.ts';
import { named } from '../../../engine/http/api-schemas.ts';
import { openApiDocument } from '../../../engine/http/openapi.ts';

// How route declarations become the document: parameters from the koa path and the query
// schema, bodies read as input and answers as output, named schemas as shared components.
const thing = named('UnitThing', z.strictObject({ id: z.string(), n: z.number().int() }));

const spec = (overrides: Partial<ApiRouteSpec>): ApiRouteSpec => ({
  method: 'get',
  path: '/things/:id',
  tag: 'engine',
  summary: 'A thing.',
  answers: { 200: { description: 'The thing.', schema: thing } },
  ...overrides,
});

const build = (...specs: ApiRouteSpec[]) =>
  openApiDocument([{ prefix: '/api/v1', specs }]) as {
    paths: Record<string, Record<string, any>>;
    components: { schemas: Record<string, any> };
  };

describe('openApiDocument', () => {
  it('writes path and query parameters, with the query schema deciding what is required', () => {
    const doc = build(
      spec({
        query: z.object({
          where: z.string().describe('A filter.'),
          limit: z.coerce.number().int().max(10).optional(),
        }),
      }),
    );
    const operation = doc.paths['/api/v1/things/{id}']!.get;
    expect(operation.operationId).toBe('getApiV1ThingsId');
    expect(operation.parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
      {
        name: 'where',
        in: 'query',
        required: true,
        schema: { type: 'string' },
        description: 'A filter.',
      },
      expect.objectContaining({ name: 'limit', in: 'query', required: false }),
    ]);
    expect(operation.parameters[2].schema).toMatchObject({ type: 'integer', maximum: 10 });
  });

  it('refers to a named schema once, under components', () => {
    const doc = build(spec({}), spec({ method: 'put', body: thing }));
    const answer =
      doc.paths['/api/v1/things/{id}']!.get.responses['200'].content['application/json'].schema;
    expect(answer).toEqual({ $ref: '#/components/schemas/UnitThing' });
    expect(doc.components.schemas.UnitThing).toMatchObject({
      required: ['id', 'n'],
      additionalProperties: false,
    });
    expect(doc.paths['/api/v1/things/{id}']!.put.requestBody.content['application/json']).toEqual({
      schema: { $ref: '#/components/schemas/UnitThing' },
    });
  });

  it('gives every operation the error answer, and admin ones 400 and 401', () => {
    const doc = build(
      spec({ refusals: { 404: 'No such thing.' } }),
      spec({ path: '/open', public: true }),
    );
    const admin = doc.paths['/api/v1/things/{id}']!.get;
    expect(Object.keys(admin.responses).sort()).toEqual(['200', '400', '401', '404', 'default']);
    const open = doc.paths['/api/v1/open']!.get;
    expect(open.security).toEqual([]);
    expect(Object.keys(open.responses).sort()).toEqual(['200', 'default']);
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it('refuses a named schema that reads differently as input and as output', () => {
    const defaulted = named('UnitDefaulted', z.strictObject({ n: z.number().default(1) }));
    expect(() =>
      build(
        spec({ method: 'post', body: defaulted }),
        spec({ answers: { 200: { description: 'It.', schema: defaulted } } }),
      ),
    ).toThrow(/UnitDefaulted.*two different shapes/);
  });
});
