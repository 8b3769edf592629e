import { timingSafeEqual, createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { HttpError } from './errors.ts';

/**
 * Bearer-token auth for the admin API. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, so neither content nor length leaks through timing.
 */
export function bearerAuth(token: string): Middleware {
  const expected = createHash('sha256').update(token).digest();
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const given = match ? createHash('sha256').update(match[1]!).digest() : undefined;
    if (!given || !timingSafeEqual(given, expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      throw new HttpError(
        'E_UNAUTHORIZED',
        'Send the admin token as "Authorization: Bearer <token>".',
      );
    }
    await next();
  };
}

/**
 * The admin API's auth: the bearer token (the CLI, unchanged), or else a web-console session
 * cookie (engine/http/console). A request with an Authorization header is judged by it alone.
 */
export function bearerOrSessionAuth(
  token: string,
  hasSession: (ctx: Context) => boolean,
): Middleware {
  const bearer = bearerAuth(token);
  return (ctx, next) => (!ctx.get('authorization') && hasSession(ctx) ? next() : bearer(ctx, next));
}
