import Koa from 'koa';
import Router from '@koa/router';
import { z } from 'zod';
import { errorMiddleware } from './errors.ts';
import { bearerOrSessionAuth } from './auth.ts';
import { canonicalPaths } from './canonical-path.ts';
import { redactPath } from './redact.ts';
import { route, routeSpecsOf, type ApiRouteSpec } from './api-route.ts';
import { registerOpenApiRoute } from './openapi.ts';
import { CONSOLE_DIR, createConsole } from './console/console-routes.ts';
import type { Logger } from '../log.ts';

export interface AppParts {
  adminToken: string;
  log: Pick<Logger, 'error'>;
  /** Admin routes, mounted under /api/v1 behind bearer auth (GET /openapi.json is added here). */
  admin: Array<(router: Router) => void>;
  /** Public routes (WeChat receiver, incoming hooks). */
  public: Array<(router: Router) => void>;
  /** False until the engine accepts work. */
  ready: () => boolean;
  /** Web console sessions end after this many idle minutes (30 when absent). */
  consoleIdleMinutes?: number;
}

/** A route of the admin API, its path as registered below `/api/v1` (e.g. `/functions/:name`). */
export interface AdminRoute {
  method: string;
  path: string;
}

const adminRoutesByApp = new WeakMap<Koa, readonly AdminRoute[]>();

/** Every admin route an app created by `createApp` serves (for tests and the OpenAPI check). */
export function adminRoutesOf(app: Koa): readonly AdminRoute[] {
  return adminRoutesByApp.get(app) ?? [];
}

const HEALTHZ: ApiRouteSpec = {
  method: 'get',
  path: '/healthz',
  tag: 'engine',
  summary: 'Liveness: 200 {"status":"ok"} once the engine accepts work, 503 before.',
  public: true,
  answers: {
    200: { description: 'Accepting work.', schema: z.strictObject({ status: z.literal('ok') }) },
    503: {
      description: 'Starting or stopping.',
      schema: z.strictObject({ status: z.literal('starting') }),
    },
  },
};

/** The koa app: error mapping, /healthz, public routes, and the admin API. */
export function createApp(parts: AppParts): Koa {
  const app = new Koa({ proxy: false });
  app.use(errorMiddleware(parts.log));
  // One spelling per path, and exact routers: the auth check below and the routers cannot
  // disagree about which route a request names (docs/security.md, "Paths").
  app.use(canonicalPaths());
  const exact = { sensitive: true, strict: true };

  const publicRouter = new Router(exact);
  route(publicRouter, HEALTHZ, (ctx) => {
    ctx.status = parts.ready() ? 200 : 503;
    ctx.body = { status: parts.ready() ? 'ok' : 'starting' };
  });
  for (const register of parts.public) register(publicRouter);

  const webConsole = createConsole({
    adminToken: parts.adminToken,
    dir: CONSOLE_DIR,
    idleMinutes: parts.consoleIdleMinutes ?? 30,
  });
  app.use(webConsole.middleware);

  // Auth before routing, so that every /api path, known or not and in any case, needs the
  // token (or a console session).
  const auth = bearerOrSessionAuth(parts.adminToken, webConsole.hasSession);
  app.use((ctx, next) => {
    const path = ctx.path.toLowerCase();
    return path === '/api' || path.startsWith('/api/') ? auth(ctx, next) : next();
  });

  const adminRouter = new Router({ prefix: '/api/v1', ...exact });
  registerOpenApiRoute(adminRouter, () => [
    { prefix: '', specs: routeSpecsOf(publicRouter) },
    { prefix: '/api/v1', specs: routeSpecsOf(adminRouter) },
  ]);
  for (const register of parts.admin) register(adminRouter);
  adminRoutesByApp.set(
    app,
    adminRouter.stack.flatMap((layer) =>
      layer.methods
        .filter((m) => m !== 'HEAD')
        .map((method) => ({ method, path: String(layer.path).slice('/api/v1'.length) })),
    ),
  );

  // Their bare 405 and 501 become JSON 405s in errorMiddleware (the Allow header kept).
  app.use(publicRouter.routes()).use(publicRouter.allowedMethods());
  app.use(adminRouter.routes()).use(adminRouter.allowedMethods());
  // Errors koa itself meets outside the middleware (a client gone mid-answer): logged, the
  // path redacted, instead of koa's default print to stderr.
  app.on('error', (err: unknown, ctx?: { path?: string }) => {
    parts.log.error(
      { err, path: ctx?.path === undefined ? undefined : redactPath(ctx.path) },
      'error outside the request handlers',
    );
  });
  return app;
}
