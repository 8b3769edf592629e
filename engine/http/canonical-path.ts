import type { Middleware } from 'koa';
import { HttpError } from './errors.ts';

// RFC 3986 pchar plus "/": anything else (backslash, raw non-ASCII, quotes…) has no place in
// one of our paths and only invites a proxy, a router and the auth check to read it differently.
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]*$/;
const PERCENT = /%(.{0,2})/g;
const HEX2 = /^[0-9A-Fa-f]{2}$/;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
// The spelling of nearly every request (every WeChat push): "/"-separated segments of path
// characters, none empty, "." or "..", and no "%". Each rule of pathFault holds for such a path,
// so it is answered by this one test instead of the split and scans below.
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@]+)+$/;

/**
 * Why a raw request path (undecoded, without the query) is not in canonical form, or
 * undefined when it is. Canonical: starts with "/", no empty, "." or ".." segment, no trailing
 * "/" (except the root), only RFC 3986 path characters, and percent-encoding only where it is
 * needed: an encoded letter, digit or "-._~" (`/%61pi`), an encoded "/" or "\", a control
 * character or a broken escape is refused. One path then has exactly one spelling, so the
 * auth check and the routers cannot disagree about what it names (issue 12, item 1).
 */
export function pathFault(path: string): string | undefined {
  return PLAIN_PATH.test(path) ? undefined : pathFaultFully(path);
}

/** pathFault without the plain spelling's shortcut: what the shortcut must agree with (tests). */
export function pathFaultFully(path: string): string | undefined {
  if (!path.startsWith('/')) return 'it does not start with "/"';
  if (!PATH_CHARS.test(path)) return 'it holds a character that must be percent-encoded';
  if (path !== '/' && path.endsWith('/')) return 'it ends with "/"';
  const segments = path.split('/').slice(1);
  if (path !== '/' && segments.some((s) => s === '')) return 'it holds an empty segment ("//")';
  if (segments.some((s) => s === '.' || s === '..')) return 'it holds a "." or ".." segment';
  for (const [, hex] of path.matchAll(PERCENT)) {
    if (!HEX2.test(hex!)) return 'it holds a "%" that is not followed by two hex digits';
    const code = parseInt(hex!, 16);
    const char = String.fromCharCode(code);
    if (UNRESERVED.test(char)) return `"%${hex}" encodes "${char}", which is written as is`;
    if (char === '/' || char === '\\') return `"%${hex}" encodes a path separator`;
    if (code < 0x20 || code === 0x7f) return `"%${hex}" encodes a control character`;
  }
  return undefined;
}

/**
 * Refuses a non-canonical path with 404 E_PATH_NOT_CANONICAL before auth and routing run:
 * the routers are exact (case-sensitive, strict), so a path either names a route in its one
 * spelling or names nothing.
 */
export function canonicalPaths(): Middleware {
  return async (ctx, next) => {
    const fault = pathFault(ctx.path);
    if (fault !== undefined) {
      throw new HttpError(
        'E_PATH_NOT_CANONICAL',
        `The path is not in canonical form: ${fault}. Write each path exactly as documented.`,
      );
    }
    await next();
  };
}
