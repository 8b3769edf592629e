import type { Context } from 'koa';
import type { SessionStore } from './session-store.ts';
import { sameSecret } from './session-store.ts';
import { isSameOrigin, SAFE_METHODS } from './request-origin.ts';
import { csrfRefused, originRefused } from './errors.ts';

export const SESSION_COOKIE = 'cloudfn_session';
export const CSRF_HEADER = 'x-cloudfn-csrf';

/**
 * Whether the request carries a live console session. Reads pass with the cookie alone
 * (SameSite=Strict keeps other sites from sending it, CORS from reading answers); a change
 * also needs this server's Origin and the session's CSRF value, else it is refused (403),
 * not treated as anonymous, so the page can say why.
 */
export function sessionCheck(sessions: SessionStore, tokenHash: Buffer) {
  return (ctx: Context): boolean => {
    const session = sessions.find(ctx.cookies.get(SESSION_COOKIE), tokenHash);
    if (!session) return false;
    if (SAFE_METHODS.has(ctx.method)) return true;
    if (!isSameOrigin(ctx)) throw originRefused(ctx.get('origin') || undefined);
    const given = ctx.get(CSRF_HEADER);
    if (!given || !sameSecret(given, session.csrf)) throw csrfRefused();
    return true;
  };
}
