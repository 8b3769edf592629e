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
} from '../wechat/index.ts';
import { EngineError } from '../errors.ts';
import { readRawBody } from './body.ts';
import { HttpError } from './errors.ts';

interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WechatRouteDeps {
  store: EngineStore;
  /** The engine's intake: a push is answered only once it is durable. */
  intake: Intake;
  accounts: AccountRegistry;
  registry: TriggerRegistry;
  functions: FunctionService;
  clock: Clock;
  ids: Ids;
  log: Logger;
}

/**
 * The WeChat receiver, `/wechat/:appId` (SPEC §3). Thin: verify and open with the pure
 * protocol core, commit to the inbox, answer. Triggers run after the answer, from the inbox.
 */
export function registerWechatRoutes(router: Router, deps: WechatRouteDeps): void {
  const { intake, accounts, registry, clock, log } = deps;

  router.get(
    '/wechat/:appId',
    refusalsLogged(log, async (ctx) => {
      const account = await accounts.prepared(ctx.params.appId!);
      ctx.type = 'text/plain';
      ctx.body = verifyEcho(account, queryOf(ctx), Math.floor(clock.now() / 1000));
    }),
  );

  router.post(
    '/wechat/:appId',
    refusalsLogged(log, async (ctx) => {
      const appId = ctx.params.appId!;
      const account = await accounts.prepared(appId);
      try {
        checkQueryBeforeBody(account, queryOf(ctx));
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
          throw new HttpError(
            'E_WECHAT_TOO_LARGE',
            `A push body may be at most ${MAX_PUSH_BYTES} bytes.`,
            413,
          );
        }
        throw err;
      });
      const nowSeconds = Math.floor(clock.now() / 1000);
      const opened = openPush(account, {
        query: queryOf(ctx),
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

function queryOf(ctx: Context): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(ctx.query))
    query[key] = Array.isArray(value) ? value[0] : value;
  return query;
}

/** Every refusal of the receiver is logged with its code and account (issue 4). */
function refusalsLogged(log: Logger, handler: RouterMiddleware): RouterMiddleware {
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
