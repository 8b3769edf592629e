import type Router from '@koa/router';
import { z } from 'zod';
import type { AccountRecord } from '../../store/index.ts';
import type { Clock } from '../../clock.ts';
import type { AccountRegistry } from '../../receiver/index.ts';
import { signPush } from '../../wechat/index.ts';
import { NotFoundError } from '../../errors.ts';
import { readJsonBody } from '../body.ts';
import { iso, pageOf, parseInput } from '../validate.ts';
import { forceParam, type InUseCheck } from './delete-guard.ts';
import { route } from '../api-route.ts';
import { forceQuery, IN_USE, named, NO_CONTENT } from '../api-schemas.ts';
import {
  accountAnswer,
  accountListAnswer,
  signedPushAnswer,
  tokenStatsAnswer,
  type AccountAnswer,
} from './accounts-answers.ts';

const accountBody = named(
  'AccountInput',
  z.strictObject({
    token: z.string().min(1).max(128).describe('The Token (令牌) of 服务器配置.'),
    encodingAESKey: z
      .string()
      .optional()
      .describe('The EncodingAESKey (43 characters); never echoed back.'),
    mode: z.enum(['plain', 'compatible', 'safe']).optional(),
    /** 开发 → 基本配置 → AppSecret; null removes it. Never echoed. */
    appSecret: z
      .string()
      .min(1)
      .max(128)
      .nullable()
      .optional()
      .describe(
        'The AppSecret, for WeChat API calls from functions; never echoed back. Absent keeps it, null removes it.',
      ),
  }),
);

const signBody = named(
  'SignInput',
  z.strictObject({
    body: z
      .string()
      .min(1, 'body is the push XML or JSON to sign')
      .describe('The plaintext push, XML or JSON.'),
    encrypt: z.boolean().optional().describe("Default: the account's mode decides."),
    timestamp: z
      .string()
      .regex(/^\d{1,12}$/)
      .optional()
      .describe('Unix seconds; default now.'),
    nonce: z
      .string()
      .regex(/^[A-Za-z0-9]{1,32}$/)
      .optional(),
  }),
);

/** Keys are secrets: never echoed back (SPEC §2). */
const renderAccount = (a: AccountRecord): AccountAnswer => ({
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

  route(
    router,
    {
      method: 'put',
      path: '/wechat/accounts/:appId',
      tag: 'accounts',
      summary:
        'Register or update an account; a new EncodingAESKey keeps the previous one for rotation.',
      body: accountBody,
      answers: { 200: { description: 'The account.', schema: accountAnswer } },
    },
    async (ctx) => {
      const body = parseInput(accountBody, await readJsonBody(ctx));
      ctx.body = renderAccount(await accounts.put(ctx.params.appId!, body, clock.now()));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/wechat/accounts',
      tag: 'accounts',
      summary: 'Registered WeChat accounts (keys never shown).',
      answers: { 200: { description: 'Accounts.', schema: accountListAnswer } },
    },
    async (ctx) => {
      ctx.body = pageOf(await accounts.list(), renderAccount);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/wechat/accounts/:appId',
      tag: 'accounts',
      summary: 'One account.',
      answers: { 200: { description: 'The account.', schema: accountAnswer } },
      refusals: { 404: 'No such account (E_WECHAT_UNKNOWN_ACCOUNT).' },
    },
    async (ctx) => {
      const found = (await accounts.list()).find((a) => a.appId === ctx.params.appId);
      if (!found) await accounts.prepared(ctx.params.appId!); // throws the 404
      ctx.body = renderAccount(found!);
    },
  );

  // Access-token figures: fetches today against WeChat's daily quota, failures, back-off.
  route(
    router,
    {
      method: 'get',
      path: '/wechat/accounts/:appId/token-stats',
      tag: 'accounts',
      summary:
        "The access-token manager's figures: fetches today (Beijing day) against the daily quota, failures, back-off.",
      answers: { 200: { description: 'Token figures.', schema: tokenStatsAnswer } },
      refusals: { 404: 'No such account (E_WECHAT_UNKNOWN_ACCOUNT).' },
    },
    async (ctx) => {
      await accounts.prepared(ctx.params.appId!); // 404 for an unknown account
      ctx.body = (await deps.tokenStats?.(ctx.params.appId!)) ?? {};
    },
  );

  route(
    router,
    {
      method: 'delete',
      path: '/wechat/accounts/:appId',
      tag: 'accounts',
      summary: 'Forget an account.',
      query: forceQuery,
      answers: NO_CONTENT,
      refusals: {
        404: 'No such account (E_WECHAT_UNKNOWN_ACCOUNT).',
        ...IN_USE,
      },
    },
    async (ctx) => {
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
    },
  );

  // Builds a push exactly as WeChat would send it to this account (signed, optionally
  // encrypted), so `cloudfn push` needs no secrets on the user's machine.
  route(
    router,
    {
      method: 'post',
      path: '/wechat/accounts/:appId/sign',
      tag: 'accounts',
      summary:
        'Sign (and optionally encrypt) a push exactly as WeChat would send it — for `cloudfn push`.',
      body: signBody,
      answers: {
        200: { description: 'What to POST to /wechat/{appId}.', schema: signedPushAnswer },
      },
      refusals: { 404: 'No such account (E_WECHAT_UNKNOWN_ACCOUNT).' },
    },
    async (ctx) => {
      const body = parseInput(signBody, await readJsonBody(ctx));
      const account = await accounts.prepared(ctx.params.appId!);
      ctx.body = signPush(account, {
        body: body.body,
        ...(body.encrypt === undefined ? {} : { encrypt: body.encrypt }),
        timestamp: body.timestamp ?? String(Math.floor(clock.now() / 1000)),
        ...(body.nonce ? { nonce: body.nonce } : {}),
      });
    },
  );
}
