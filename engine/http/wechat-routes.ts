import type Router from '@koa/router';
import type { RouterMiddleware } from '@koa/router';
import type { Context } from 'koa';
import type { EngineStore } from '../store/index.ts';
import type { Clock } from '../clock.ts';
import type { Ids } from '../ids.ts';
import type { Intake } from '../inbox/index.ts';
import type { FunctionService } from '../functions/function-service.ts';
import type { TriggerRegistry } from '../dispatch/trigger-registry.ts';
import { runPassiveReply, type AccountRegistry } from '../receiver/index.ts';
import {
  verifyEcho,
  openPush,
  buildReply,
  checkQueryBeforeBody,
  MAX_PUSH_BYTES,
  WechatError,
} from '../wechat/index.ts';
import { EngineError } from '../errors.ts';
import { readRawBody } from './body.ts';
import { HttpError } from './errors.ts';
import type { Logger } from '../log.ts';
import { z } from 'zod';
import { route } from './api-route.ts';

export interface WechatRouteDeps {
  store: EngineStore;
  /** The engine's intake: a push is answered only once it is durable. */
  intake: Intake;
  accounts: AccountRegistry;
  registry: TriggerRegistry;
  functions: FunctionService;
  clock: Clock;
  ids: Ids;
  log: Pick<Logger, 'info' | 'warn'>;
  /**
   * Runs first on every push, in the route's own layer (the console's count of refused
   * pushes): a route of its own would cost each push a second match of the router.
   */
  observe?: RouterMiddleware;
}

const wechatParam = (name: string) => z.string().optional().describe(`WeChat's ${name}.`);
const verifyQuery = z.object(
  Object.fromEntries(
    ['signature', 'timestamp', 'nonce', 'echostr'].map((n) => [n, wechatParam(n)]),
  ),
);
const pushQuery = z.object(
  Object.fromEntries(
    ['signature', 'timestamp', 'nonce', 'openid', 'encrypt_type', 'msg_signature'].map((n) => [
      n,
      wechatParam(n),
    ]),
  ),
);
const UNKNOWN_ACCOUNT = 'No account has this AppID (E_WECHAT_UNKNOWN_ACCOUNT).';

/**
 * The WeChat receiver, `/wechat/:appId` (SPEC §3). Thin: verify and open with the pure
 * protocol core, commit to the inbox, answer. Triggers run after the answer, from the inbox.
 */
export function registerWechatRoutes(router: Router, deps: WechatRouteDeps): void {
  const { intake, accounts, registry, clock, log } = deps;

  route(
    router,
    {
      method: 'get',
      path: '/wechat/:appId',
      tag: 'wechat',
      summary: 'WeChat URL verification: answers echostr when the signature is right.',
      public: true,
      query: verifyQuery,
      answers: { 200: { description: 'The echostr.', media: { 'text/plain': z.string() } } },
      refusals: { 401: 'Bad signature (E_WECHAT_BAD_SIGNATURE).', 404: UNKNOWN_ACCOUNT },
    },
    refusalsLogged(log, async (ctx) => {
      const account = await accounts.prepared(ctx.params.appId!);
      ctx.type = 'text/plain';
      ctx.body = verifyEcho(account, queryOf(ctx), Math.floor(clock.now() / 1000));
    }),
  );

  route(
    router,
    {
      method: 'post',
      path: '/wechat/:appId',
      tag: 'wechat',
      summary:
        'A WeChat push (plaintext, compatible or safe mode); answered "success" or a passive reply.',
      public: true,
      query: pushQuery,
      bodyMedia: { 'text/xml': z.string(), 'application/json': z.record(z.string(), z.unknown()) },
      answers: {
        200: {
          description: '"success", or the passive reply XML/JSON.',
          media: {
            'text/plain': z.string(),
            'text/xml': z.string(),
            'application/json': z.record(z.string(), z.unknown()),
          },
        },
      },
      refusals: {
        400: 'Malformed body, or not what the account mode expects.',
        401: 'Bad signature or stale timestamp.',
        404: UNKNOWN_ACCOUNT,
        413: 'Body over 1 MiB (E_WECHAT_TOO_LARGE).',
      },
    },
    ...(deps.observe ? [deps.observe] : []),
    refusalsLogged(log, async (ctx) => {
      const appId = ctx.params.appId!;
      const account = await accounts.prepared(appId);
      const query = queryOf(ctx);
      try {
        checkQueryBeforeBody(account, query);
      } catch (err) {
        // Refused on the query alone: the body is not read, so the connection cannot carry
        // another request (and reading it would be work for a forged sender).
        ctx.set('Connection', 'close');
        throw err;
      }
      const body = await readRawBody(ctx, MAX_PUSH_BYTES).catch((err: unknown) => {
        if (err instanceof HttpError && err.status === 413) {
          // The rest of the body is not read, so the connection cannot carry another request.
          ctx.set('Connection', 'close');
          throw new WechatError(
            'E_WECHAT_TOO_LARGE',
            `A push body may be at most ${MAX_PUSH_BYTES} bytes.`,
          );
        }
        throw err;
      });
      const nowSeconds = Math.floor(clock.now() / 1000);
      const opened = openPush(account, {
        query,
        body,
        contentType: ctx.get('content-type'),
        nowSeconds,
      });
      // Committed (with the other pushes of this turn) before anything is answered.
      const { id: inboxId, isNew } = await intake.accept({
        source: 'wechat_message',
        key: appId,
        dedupKey: opened.dedupKey,
        data: opened.data,
      });
      ctx.type = 'text/plain';
      ctx.body = 'success';
      if (!isNew) {
        // WeChat ignores answer headers; `cloudfn push` reads this one to say "duplicate"
        // at once instead of waiting for runs that will never come.
        ctx.set('X-Cloudfn-Duplicate', 'true');
        log.info(
          { appId, dedupKey: opened.dedupKey },
          'duplicate push (a WeChat retry): answered, not run again',
        );
        return;
      }
      const replyTrigger = registry.matchReply(appId, opened.data);
      if (!replyTrigger) return;
      // The reply is built (and, for an encrypted push, sealed with the key that opened it)
      // when the function returns, so the clock of CreateTime is the answer's.
      const attempt = await runPassiveReply(deps, replyTrigger, opened.data, inboxId, (reply) =>
        buildReply(account, opened, reply, { nowSeconds: Math.floor(clock.now() / 1000) }),
      );
      if (!attempt.ok) {
        log.warn(
          { appId, trigger: replyTrigger.name, code: attempt.errorType, error: attempt.error },
          'passive reply not sent; answered "success"',
        );
        return;
      }
      ctx.type = attempt.answer.contentType;
      ctx.body = attempt.answer.body;
    }),
  );
}

/**
 * The query string's parameters, the first value of a repeated one. Read straight from the
 * query string (what koa's `ctx.query` parses it with, URLSearchParams), without the
 * per-key property definitions and value arrays koa builds on the way: it is on every push.
 */
function queryOf(ctx: Context): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of new URLSearchParams(ctx.querystring))
    if (!Object.hasOwn(query, key)) query[key] = value;
  return query;
}

/** Every refusal of the receiver is logged with its code and account (issue 4). */
function refusalsLogged(
  log: Pick<Logger, 'info' | 'warn'>,
  handler: RouterMiddleware,
): RouterMiddleware {
  return async (ctx, next) => {
    // Taken first: a body refused mid-stream destroys the socket, and ctx.ip with it.
    const ip = ctx.req.socket?.remoteAddress;
    try {
      await handler(ctx, next);
    } catch (err) {
      if (err instanceof EngineError) {
        log.warn(
          { appId: ctx.params.appId, code: err.code, status: err.status, ip },
          `push refused: ${err.message}`,
        );
      }
      throw err;
    }
  };
}
