import Router from '@koa/router';
import { registerAccountRoutes } from '../../../engine/http/admin/accounts-routes.ts';
import { registerFunctionRoutes } from '../../../engine/http/admin/functions-routes.ts';
import { registerTriggerRoutes } from '../../../engine/http/admin/triggers-routes.ts';
import { registerOpenApiRoute } from '../../../engine/http/openapi.ts';
import { registerTableRoutes } from '../../../engine/tables/http-routes.ts';

/**
 * Every admin route (method, path under /api/v1) as the route modules register them: read
 * from the routers themselves, so a new route is covered without editing a list. The
 * handlers are never called here, so their dependencies are left out.
 */
export function adminRoutes(): Array<{ method: string; path: string }> {
  const router = new Router();
  const none = {} as never;
  registerOpenApiRoute(router);
  registerAccountRoutes(router, none);
  registerFunctionRoutes(router, none);
  registerTableRoutes(router, none);
  registerTriggerRoutes(router, none);
  return router.stack.flatMap((layer) =>
    layer.methods
      .filter((m) => m !== 'HEAD')
      .map((method) => ({ method, path: String(layer.path) })),
  );
}
