/**
 * `http.request`, the host request behind functions' `fetch` and `BaaS.request`:
 *
 * - every hop's target passes the outgoing-webhook SSRF guard (http(s) only, no credentials
 *   in the URL, no loopback/private/reserved address unless CLOUDFN_OUTBOUND_ALLOW_PRIVATE),
 *   and the connection goes to the address that was checked (pinned-request.ts);
 * - redirects are followed here, at most 5, each hop checked again: a public URL that
 *   redirects to 127.0.0.1 is refused; 303 (and 301/302 after a POST) become GET without a
 *   body, as browsers do; credentials and cookies are not sent to another origin;
 * - per run: at most `maxRequests` requests (hops count), `maxResponseBytes` of answers and
 *   `timeMs` spent waiting, all together; a request's own timeout is within what is left;
 * - each hop is one line of the job log: method, host, status, ms. Never headers or bodies.
 */
import type { HostRequestScope } from '../../runtime/sandbox.ts';
import type { Clock } from '../clock.ts';
import { checkWebhookTarget, type HostLookup } from '../triggers/webhook-target.ts';
import { OutboundError } from './errors.ts';
import { pinnedRequest, type PinnedRequest, type PinnedResponse } from './pinned-request.ts';

export interface OutboundLimits {
  /** Requests per run, redirect hops included. */
  maxRequests: number;
  /** Bytes of answers per run. */
  maxResponseBytes: number;
  /** Milliseconds spent waiting for answers per run. */
  timeMs: number;
  /** A request's timeout when the function sets none. */
  defaultTimeoutMs: number;
}

export const DEFAULT_OUTBOUND_LIMITS: OutboundLimits = {
  maxRequests: 50,
  maxResponseBytes: 10 * 1024 * 1024,
  timeMs: 30_000,
  defaultTimeoutMs: 10_000,
};

const MAX_REDIRECTS = 5;
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
/** Headers the engine sets itself (framing) or that would address another host. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
]);
const CROSS_ORIGIN_DROPPED = ['authorization', 'cookie'];

interface RunUsage {
  requests: number;
  bytes: number;
  ms: number;
}

interface Args {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs?: number;
  redirect: 'follow' | 'manual' | 'error';
}

function bad(message: string): OutboundError {
  return new OutboundError('E_OUTBOUND_BAD_REQUEST', message);
}

function parseArgs(raw: unknown): Args {
  const a = (raw ?? {}) as Record<string, unknown>;
  if (typeof a.url !== 'string') throw bad('url is required');
  const method = String(a.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw bad(`method ${method} is not supported`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((a.headers ?? {}) as Record<string, unknown>)) {
    const key = name.toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) throw bad(`"${name}" is not a header name`);
    if (RESERVED_HEADERS.has(key)) continue;
    const text = String(value);
    if (/[\r\n\0]/.test(text)) throw bad(`header ${name} has a line break`);
    headers[key] = text;
  }
  const timeoutMs = typeof a.timeoutMs === 'number' && a.timeoutMs > 0 ? a.timeoutMs : undefined;
  const redirect = a.redirect === 'manual' || a.redirect === 'error' ? a.redirect : 'follow';
  return {
    url: a.url,
    method,
    headers,
    ...(typeof a.body === 'string' ? { body: Buffer.from(a.body, 'base64') } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    redirect,
  };
}

export function createHttpHostRequest(deps: {
  allowPrivate: boolean;
  limits?: Partial<OutboundLimits>;
  clock: Clock;
  /** DNS, replaceable in tests (as for webhook targets). */
  lookup?: HostLookup;
  /** The exchange itself; tests replace it to play hosts the machine cannot reach. */
  transport?: (request: PinnedRequest) => Promise<PinnedResponse>;
}): (args: unknown, scope: HostRequestScope) => Promise<unknown> {
  const limits = { ...DEFAULT_OUTBOUND_LIMITS, ...deps.limits };
  const { clock } = deps;
  const transport = deps.transport ?? pinnedRequest;

  async function check(target: string): Promise<{ url: URL; addresses: string[] }> {
    try {
      return await checkWebhookTarget(target, {
        allowPrivate: deps.allowPrivate,
        ...(deps.lookup ? { lookup: deps.lookup } : {}),
      });
    } catch (err) {
      const e = err as { code?: string; details?: Record<string, unknown>; message: string };
      const reason = typeof e.details?.reason === 'string' ? e.details.reason : e.message;
      if (e.code === 'E_WEBHOOK_TARGET_UNRESOLVED')
        throw new OutboundError(
          'E_OUTBOUND_UNRESOLVED',
          e.message.replace(/^Webhook target/, 'Target'),
        );
      throw new OutboundError('E_OUTBOUND_FORBIDDEN', `Request to ${target} refused: ${reason}`, {
        url: target,
      });
    }
  }

  return async (rawArgs, scope) => {
    const args = parseArgs(rawArgs);
    let usage = scope.state.get('http') as RunUsage | undefined;
    if (usage === undefined) {
      usage = { requests: 0, bytes: 0, ms: 0 };
      scope.state.set('http', usage);
    }
    let { method, body } = args;
    let headers = { ...args.headers };
    let target = args.url;
    let origin: string | undefined;
    for (let hop = 0; ; hop++) {
      if (usage.requests >= limits.maxRequests)
        throw new OutboundError(
          'E_OUTBOUND_LIMIT',
          `A run may make ${limits.maxRequests} HTTP requests (redirects included); this is one more`,
        );
      const timeLeft = limits.timeMs - usage.ms;
      if (timeLeft <= 0)
        throw new OutboundError(
          'E_OUTBOUND_LIMIT',
          `A run may spend ${limits.timeMs} ms in all waiting for HTTP answers, and this one has`,
        );
      // Never waits past the run's own deadline (system time, as the sandbox sets it).
      const untilDeadline = scope.deadlineAt - Date.now();
      if (untilDeadline <= 0)
        throw new OutboundError('E_OUTBOUND_TIMEOUT', "The run's deadline has passed");
      const checked = await check(target);
      if (origin !== undefined && checked.url.origin !== origin)
        for (const name of CROSS_ORIGIN_DROPPED) delete headers[name];
      origin = checked.url.origin;
      usage.requests++;
      const started = clock.now();
      let response;
      try {
        response = await transport({
          url: checked.url,
          addresses: checked.addresses,
          method,
          headers,
          ...(body === undefined ? {} : { body }),
          timeoutMs: Math.min(args.timeoutMs ?? limits.defaultTimeoutMs, timeLeft, untilDeadline),
          maxBytes: limits.maxResponseBytes - usage.bytes,
        });
      } catch (err) {
        const ms = clock.now() - started;
        usage.ms += ms;
        scope.log(
          'warn',
          `[http] ${method} ${checked.url.host} ${(err as { code?: string }).code ?? 'failed'} ${ms} ms`,
        );
        throw err;
      }
      const ms = clock.now() - started;
      usage.ms += ms;
      usage.bytes += response.body.length;
      scope.log('info', `[http] ${method} ${checked.url.host} ${response.status} ${ms} ms`);
      const location = response.headers.location;
      const isRedirect =
        [301, 302, 303, 307, 308].includes(response.status) && location !== undefined;
      if (!isRedirect || args.redirect === 'manual') {
        return {
          status: response.status,
          statusText: response.statusText,
          headers: response.headers,
          body: response.body.toString('base64'),
          url: checked.url.href,
          redirected: hop > 0,
        };
      }
      if (args.redirect === 'error')
        throw new OutboundError(
          'E_OUTBOUND_REDIRECT',
          `${checked.url.host} redirected (redirect: "error")`,
        );
      if (hop >= MAX_REDIRECTS)
        throw new OutboundError('E_OUTBOUND_REDIRECT', `More than ${MAX_REDIRECTS} redirects`);
      try {
        target = new URL(location, checked.url).href;
      } catch {
        throw new OutboundError(
          'E_OUTBOUND_REDIRECT',
          `${checked.url.host} redirected to an invalid URL`,
        );
      }
      if (
        response.status === 303 ||
        ((response.status === 301 || response.status === 302) && method === 'POST')
      ) {
        method = method === 'HEAD' ? 'HEAD' : 'GET';
        body = undefined;
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => !k.startsWith('content-')),
        );
      }
    }
  };
}
