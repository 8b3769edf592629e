import Koa from 'koa';

/**
 * The HTTP of a `worker` process (engine/role.ts): `/healthz` for the orchestrator's probe and
 * nothing else. A worker holds no admin API, console or receiver, so it has no token to check
 * and nothing a balancer should route to it.
 */
export function createHealthApp(ready: () => boolean): Koa {
  const app = new Koa({ proxy: false });
  app.use((ctx) => {
    if (ctx.path !== '/healthz' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      ctx.status = 404;
      ctx.body = {
        code: 'E_ROUTE_NOT_FOUND',
        message: `No route for ${ctx.method} ${ctx.path}: this engine process is a worker (CLOUDFN_ROLE=worker), it serves /healthz only.`,
      };
      return;
    }
    ctx.status = ready() ? 200 : 503;
    ctx.body = { status: ready() ? 'ok' : 'starting' };
  });
  return app;
}
