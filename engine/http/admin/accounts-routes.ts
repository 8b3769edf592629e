import type Router from '@koa/router';
import { z } from 'zod';
import type { AccountRecord } from '../../store/index.ts';
import type { Clock } from '../../clock.ts';
import type { AccountRegistry } from '../../receiver/index.ts';
import { signPush } from '../../wechat/index.ts';
import { NotFoundError } from '../../errors.ts';
import { readJsonBody } from '../body.ts';
import { iso, parseInput } from '../validate.ts';
import { forceParam, type InUseCheck } from './delete-guard.ts';

const accountBody = z.strictObject({
  token: z.string().min(1).max(128),
  encodingAESKey: z.string().optional(),
  mode: z.enum(['plain', 'compatible', 'safe']).optional(),
  /** 开发 → 基本配置 → AppSecret; null removes it. Never echoed. */
  appSecret: z.string().min(1).max(128).nullable().optional(),
});

const signBody = z.strictObject({
  body: z.string().min(1, 'body is the push XML or JSON to sign'),
  encrypt: z.boolean().optional(),
  timestamp: z
    .string()
    .regex(/^\d{1,12}$/)
    .optional(),
  nonce: z
    .string()
    .regex(/^[A-Za-z0-9]{1,32}$/)
    .optional(),
});

/** Keys are secrets: never echoed back (SPEC §2). */
const renderAccount = (a: AccountRecord) => ({
  appId: a.appId,
  mode: a.mode,
  hasEncodingAESKey: a.encodingAESKey !== null,
  hasPreviousEncodingAESKey: a.previousEncodingAESKey !== null,
  hasAppSecret: a.appSecret !== null,
  created_at: iso(a.createdAt),
  updated_at: iso(a.updatedAt),
});

/** WeChat accounts, and the admin-only signing route `cloudfn push` uses. */
export function registerAccountRoutes(
  router: Router,
  deps: {
    accounts: AccountRegistry;
    clock: Clock;
    assertUnused: InUseCheck;
    /** The access-token manager's figures for one account (engine/wechat-api/token-manager.ts). */
    tokenStats?: (appId: string) => Promise<Record<string, unknown>>;
  },
): void {
  const { accounts, clock } = deps;

  router.put('/wechat/accounts/:appId', async (ctx) => {
    const body = parseInput(accountBody, await readJsonBody(ctx));
    ctx.body = renderAccount(await accounts.put(ctx.params.appId!, body, clock.now()));
  });

  router.get('/wechat/accounts', async (ctx) => {
    const all = await accounts.list();
    ctx.body = {
      meta: { limit: all.length, offset: 0, total_count: all.length },
      objects: all.map(renderAccount),
    };
  });

  router.get('/wechat/accounts/:appId', async (ctx) => {
    const found = (await accounts.list()).find((a) => a.appId === ctx.params.appId);
    if (!found) await accounts.prepared(ctx.params.appId!); // throws the 404
    ctx.body = renderAccount(found!);
  });

  // Access-token figures: fetches today against WeChat's daily quota, failures, back-off.
  router.get('/wechat/accounts/:appId/token-stats', async (ctx) => {
    await accounts.prepared(ctx.params.appId!); // 404 for an unknown account
    ctx.body = (await deps.tokenStats?.(ctx.params.appId!)) ?? {};
  });

  router.delete('/wechat/accounts/:appId', async (ctx) => {
    const force = forceParam(ctx.query);
    if ((await accounts.list()).some((a) => a.appId === ctx.params.appId))
      deps.assertUnused('account', ctx.params.appId!, force);
    if (!(await accounts.delete(ctx.params.appId!))) {
      throw new NotFoundError(
        'E_WECHAT_UNKNOWN_ACCOUNT',
        `No WeChat account "${ctx.params.appId}".`,
        { appId: ctx.params.appId },
      );
    }
    ctx.status = 204;
  });

  // Builds a push exactly as WeChat would send it to this account (signed, optionally
  // encrypted), so `cloudfn push` needs no secrets on the user's machine.
  router.post('/wechat/accounts/:appId/sign', async (ctx) => {
    const body = parseInput(signBody, await readJsonBody(ctx));
    const account = await accounts.prepared(ctx.params.appId!);
    ctx.body = signPush(account, {
      body: body.body,
      ...(body.encrypt === undefined ? {} : { encrypt: body.encrypt }),
      timestamp: body.timestamp ?? String(Math.floor(clock.now() / 1000)),
      ...(body.nonce ? { nonce: body.nonce } : {}),
    });
  });
}
