import type { Context } from 'koa';

/** The schemes this request may have been made with: its own, and a proxy's X-Forwarded-Proto. */
function schemes(ctx: Context): string[] {
  const forwarded = ctx.get('x-forwarded-proto').split(',')[0]?.trim().toLowerCase();
  return [ctx.protocol, ...(forwarded === 'https' || forwarded === 'http' ? [forwarded] : [])];
}

/** True when the request came over HTTPS, directly or through a proxy that says so. */
export function isHttps(ctx: Context): boolean {
  return schemes(ctx).includes('https');
}

/**
 * True when the Origin header names this very server (scheme, host and port as the request's
 * Host header says). Browsers send Origin on every POST, PUT, PATCH and DELETE.
 */
export function isSameOrigin(ctx: Context): boolean {
  const origin = ctx.get('origin');
  const host = ctx.get('host');
  if (!origin || !host) return false;
  return schemes(ctx).some(
    (scheme) => origin.toLowerCase() === `${scheme}://${host}`.toLowerCase(),
  );
}

export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
