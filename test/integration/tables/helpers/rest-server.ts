/**
 * A real koa server on port 0 with the table routes under /api/v1 and the engine's
 * errorMiddleware (auth is the lead's wiring and is left out here).
 */
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import { errorMiddleware } from '../../../../engine/http/errors.ts';
import { registerTableRoutes } from '../../../../engine/http/admin/tables-routes.ts';
import type { TableStore } from '../../../../engine/tables/table-store.ts';

export interface RestServer {
  base: string;
  /** fetch() relative to /api/v1, with a JSON body when `body` is given. */
  request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startRestServer(tables: TableStore): Promise<RestServer> {
  const app = new Koa();
  const router = new Router({ prefix: '/api/v1' });
  registerTableRoutes(router, { tables });
  app.use(errorMiddleware());
  app.use(router.routes());
  app.use(router.allowedMethods());
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  return {
    base,
    async request(method, path, body) {
      const res = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? null : (JSON.parse(text) as unknown);
      } catch {
        // not JSON (CSV export): keep the text
      }
      return { status: res.status, body: parsed, text, headers: res.headers };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
