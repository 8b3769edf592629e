import { timingSafeEqual, createHash } from 'node:crypto';
import type { Middleware } from 'koa';
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
        401,
      );
    }
    await next();
  };
}
