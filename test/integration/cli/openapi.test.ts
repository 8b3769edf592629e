import Router from '@koa/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

// The OpenAPI document against the routes a real engine serves: every route the koa routers
// hold is documented, and every documented operation is served. The routers are found by
// recording each Router whose routes() the engine mounts.
const mounted = new Set<Router>();
const originalRoutes = Router.prototype.routes;

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const toOpenApiPath = (koaPath: string) => koaPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the OpenAPI document', () => {
  let t: TestEngine;
  let document: {
    openapi: string;
    paths: Record<
      string,
      Record<string, { parameters?: Array<{ name: string; in: string }>; operationId: string }>
    >;
    components: { schemas: Record<string, unknown> };
  };

  beforeAll(async () => {
    Router.prototype.routes = function (this: Router) {
      mounted.add(this);
      return originalRoutes.call(this);
    };
    try {
      t = await startTestEngine();
    } finally {
      Router.prototype.routes = originalRoutes;
    }
    const answer = await t.api('GET', '/openapi.json');
    expect(answer.status).toBe(200);
    document = answer.body;
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is served only with the admin token', async () => {
    const anonymous = await fetch(`${t.engine.url}/api/v1/openapi.json`);
    expect(anonymous.status).toBe(401);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents exactly the routes the engine serves, both ways', () => {
    const served = new Set<string>();
    for (const router of mounted) {
      for (const layer of router.stack) {
        for (const method of layer.methods.map((m) => m.toLowerCase())) {
          if (METHODS.includes(method))
            served.add(`${method.toUpperCase()} ${toOpenApiPath(String(layer.path))}`);
        }
      }
    }
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const method of Object.keys(operations))
        documented.add(`${method.toUpperCase()} ${path}`);
    }
    expect(served.size).toBeGreaterThan(30);
    expect([...served].filter((r) => !documented.has(r)).sort()).toEqual([]);
    expect([...documented].filter((r) => !served.has(r)).sort()).toEqual([]);
  });

  it('declares every path parameter, resolves every $ref and has unique operation ids', () => {
    const ids = new Set<string>();
    for (const [path, operations] of Object.entries(document.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(operations)) {
        const declared = (operation.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name);
        expect(declared.sort(), path).toEqual([...names].sort());
        expect(ids.has(operation.operationId), operation.operationId).toBe(false);
        ids.add(operation.operationId);
      }
    }
    const refs = [
      ...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g),
    ].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(10);
    for (const name of refs) expect(document.components.schemas, name).toHaveProperty(name);
  });
});
