import type Koa from 'koa';
import type { Context, Next } from 'koa';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readJsonBody } from '../body.ts';
import { HttpError } from '../errors.ts';
import { parseInput } from '../validate.ts';
import { sameSecret, SessionStore } from './session-store.ts';
import { ConsoleAssets } from './assets.ts';
import { consoleCsp, newNonce } from './csp.ts';
import { isHttps, isSameOrigin } from './request-origin.ts';
import { SESSION_COOKIE, sessionCheck } from './session-check.ts';
import { notBuilt, originRefused } from './errors.ts';

const NONCE_PLACEHOLDER = '__CSP_NONCE__';
/** Where scripts/build.js writes the console. */
export const CONSOLE_DIR = fileURLToPath(new URL('../../../dist/console', import.meta.url));
const signInBody = z.strictObject({ token: z.string().min(1).max(1024) });

export interface ConsoleOptions {
  adminToken: string;
  /** dist/console */
  dir: string;
  idleMinutes: number;
  now?: () => number;
}

export interface Console {
  /** Serves /console/* and the session routes; other paths pass through. */
  middleware: Koa.Middleware;
  /** For the admin API's auth: does this request carry a usable console session? */
  hasSession: (ctx: Context) => boolean;
  sessions: SessionStore;
}

/**
 * The web console: its built files under a strict per-response CSP nonce, and the session
 * routes that exchange the admin token for an HttpOnly cookie (docs/console.md).
 */
export function createConsole(options: ConsoleOptions): Console {
  const tokenHash = SessionStore.tokenHash(options.adminToken);
  const sessions = new SessionStore({
    idleMs: options.idleMinutes * 60_000,
    maxAgeMs: 24 * 60 * 60_000,
    ...(options.now ? { now: options.now } : {}),
  });
  const hasSession = sessionCheck(sessions, tokenHash);
  let assets: ConsoleAssets | undefined;
  const loadAssets = () => (assets ??= ConsoleAssets.load(options.dir));

  const security = (ctx: Context, nonce: string) => {
    ctx.set('Content-Security-Policy', consoleCsp(nonce));
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
  };

  // Written by hand: koa's cookie helper refuses Secure on a plain connection, and behind a
  // TLS proxy the browser does see HTTPS.
  const setCookie = (ctx: Context, value: string | null) =>
    ctx.append(
      'Set-Cookie',
      [
        `${SESSION_COOKIE}=${value ?? ''}`,
        'Path=/',
        'HttpOnly',
        'SameSite=Strict',
        ...(isHttps(ctx) ? ['Secure'] : []),
        ...(value === null ? ['Max-Age=0'] : []),
      ].join('; '),
    );

  const session = async (ctx: Context) => {
    if (ctx.method === 'GET') {
      // 200 either way: "not signed in" is an answer here, not an error the browser logs.
      const found = sessions.find(ctx.cookies.get(SESSION_COOKIE), tokenHash);
      ctx.set('Cache-Control', 'no-store');
      ctx.body = found
        ? { signedIn: true, csrf: found.csrf, idleMinutes: options.idleMinutes }
        : { signedIn: false };
      return;
    }
    // Sign-in and sign-out change state: only from the console's own pages.
    if (!isSameOrigin(ctx)) throw originRefused(ctx.get('origin') || undefined);
    if (ctx.method === 'POST') {
      const { token } = parseInput(signInBody, await readJsonBody(ctx, 4096));
      if (!sameSecret(token, options.adminToken))
        throw new HttpError('E_UNAUTHORIZED', 'That is not the admin token.');
      sessions.close(ctx.cookies.get(SESSION_COOKIE));
      const opened = sessions.open(tokenHash);
      setCookie(ctx, opened.id);
      ctx.set('Cache-Control', 'no-store');
      ctx.status = 201;
      ctx.body = { signedIn: true, csrf: opened.csrf, idleMinutes: options.idleMinutes };
      return;
    }
    if (ctx.method === 'DELETE') {
      sessions.close(ctx.cookies.get(SESSION_COOKIE));
      setCookie(ctx, null);
      ctx.status = 204;
      return;
    }
    throw new HttpError('E_ROUTE_NOT_FOUND', `No route for ${ctx.method} ${ctx.path}.`);
  };

  const middleware = async (ctx: Context, next: Next) => {
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    if (ctx.path === '/console/session') return session(ctx);
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    const nonce = newNonce();
    security(ctx, nonce);
    const built = loadAssets();
    if (!built) throw notBuilt(options.dir);
    // `/console` is the page's one spelling: a path with a trailing "/" never gets here
    // (canonical paths, engine/http/canonical-path.ts).
    if (ctx.path === '/console' || ctx.path === '/console/index.html') {
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = built.index.replaceAll(NONCE_PLACEHOLDER, nonce);
      return;
    }
    const asset = built.get(ctx.path);
    if (!asset) return next();
    // Hashed names: a file never changes under its name.
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.set('Vary', 'Accept-Encoding');
    ctx.type = asset.type;
    if (ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      ctx.set('Content-Encoding', 'gzip');
      ctx.body = asset.gzip;
    } else ctx.body = asset.body;
  };

  return { middleware, hasSession, sessions };
}
