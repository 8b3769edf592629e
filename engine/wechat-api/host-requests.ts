/**
 * The WeChat host requests of functions (`wechat.*` ops of the async host-request channel),
 * answered in the engine's main process where the AppSecrets and the token manager live.
 * Each call adds one line to the job log: the API path, the errcode and the time taken.
 */
import type { HostRequestScope } from '../../runtime/sandbox.ts';
import type { Clock } from '../clock.ts';
import type { TableStore } from '../tables/table-store.ts';
import type { AccountSecrets } from './account-choice.ts';
import { WechatApiError, WechatArgumentError } from './errors.ts';
import {
  customMessageBody,
  replyAsCustomMessage,
  subscribeMessageBody,
  templateMessageBody,
} from './message-bodies.ts';
import { isMinCloudShape, minCloudBody, resolveRecipients } from './mincloud-recipients.ts';
import type { TokenManager } from './token-manager.ts';
import type { WechatCall } from './wechat-client.ts';
import type { WechatHttpRequest } from './wechat-http.ts';

type Json = Record<string, unknown>;
export type HostRequestFn = (args: unknown, scope: HostRequestScope) => Promise<unknown>;

const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'thumb']);
/** WeChat's largest temporary media (video): 10 MB. */
const MAX_MEDIA_BYTES = 10 * 1024 * 1024;
const API_PATH = /^\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+$/;

const asObject = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const optionalText = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : undefined;

export function createWechatHostRequests(deps: {
  call: WechatCall;
  tokens: TokenManager;
  accounts: AccountSecrets;
  tables: TableStore;
  clock: Clock;
}): Record<string, HostRequestFn> {
  const { call, tokens, accounts, tables, clock } = deps;

  function appIdFor(args: Json, scope: HostRequestScope): Promise<string> {
    const pushed = asObject(scope.eventData)._AppId;
    return accounts.choose(optionalText(args.appId), optionalText(pushed));
  }

  async function logged(
    scope: HostRequestScope,
    appId: string,
    request: Omit<WechatHttpRequest, 'query'> & { query?: Record<string, string> },
  ): Promise<Json> {
    const started = clock.now();
    try {
      const answer = await call(appId, request);
      scope.log('info', `[wechat] ${request.path} ok (${clock.now() - started} ms)`);
      return answer;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      scope.log('warn', `[wechat] ${request.path} ${String(code)} (${clock.now() - started} ms)`);
      throw err;
    }
  }

  /** Sends a template or subscribe message: WeChat's own body, or MinCloud's recipients form. */
  async function sendTemplated(
    kind: 'template' | 'subscribe',
    rawArgs: unknown,
    scope: HostRequestScope,
  ): Promise<unknown> {
    const args = asObject(rawArgs);
    const appId = await appIdFor(args, scope);
    const path =
      kind === 'template' ? '/cgi-bin/message/template/send' : '/cgi-bin/message/subscribe/send';
    const check = kind === 'template' ? templateMessageBody : subscribeMessageBody;
    const data = args.data;
    if (!isMinCloudShape(data)) {
      return logged(scope, appId, { method: 'POST', path, body: check(asObject(data)) });
    }
    const recipients = await resolveRecipients(data, tables);
    const bodies = recipients.map((r) => check(minCloudBody(data, r.openid, kind, appId)));
    const failed: Json[] = [];
    let sent = 0;
    let firstError: unknown;
    for (const [i, body] of bodies.entries()) {
      try {
        await logged(scope, appId, { method: 'POST', path, body });
        sent++;
      } catch (err) {
        if (!(err instanceof WechatApiError)) throw err;
        firstError ??= err;
        failed.push({
          user_id: recipients[i]!.userId ?? null,
          openid: recipients[i]!.openid,
          code: err.code,
          reason: err.reason,
          message: err.message,
        });
      }
    }
    if (sent === 0 && firstError !== undefined) throw firstError;
    return { status: 200, data: { status: 'ok', total: bodies.length, sent, failed } };
  }

  return {
    async 'wechat.token'(rawArgs, scope) {
      const appId = await appIdFor(asObject(rawArgs), scope);
      const token = await tokens.get(appId);
      return {
        access_token: token.accessToken,
        expires_in: Math.max(0, Math.floor((token.expiresAt - clock.now()) / 1000)),
      };
    },
    async 'wechat.customMessage'(rawArgs, scope) {
      const args = asObject(rawArgs);
      const body = customMessageBody(args.message);
      return logged(scope, await appIdFor(args, scope), {
        method: 'POST',
        path: '/cgi-bin/message/custom/send',
        body,
      });
    },
    async 'wechat.reply'(rawArgs, scope) {
      const args = asObject(rawArgs);
      const toUser = optionalText(args.toUser);
      if (toUser === undefined) throw new WechatArgumentError('The event has no FromUserName');
      return logged(scope, await appIdFor(args, scope), {
        method: 'POST',
        path: '/cgi-bin/message/custom/send',
        body: replyAsCustomMessage(toUser, args.message),
      });
    },
    'wechat.templateMessage': (args, scope) => sendTemplated('template', args, scope),
    'wechat.subscribeMessage': (args, scope) => sendTemplated('subscribe', args, scope),
    async 'wechat.userInfo'(rawArgs, scope) {
      const args = asObject(rawArgs);
      const openid = optionalText(args.openid);
      if (openid === undefined)
        throw new WechatArgumentError('openid is required', { path: 'openid' });
      return logged(scope, await appIdFor(args, scope), {
        method: 'GET',
        path: '/cgi-bin/user/info',
        query: { openid, lang: optionalText(args.lang) ?? 'zh_CN' },
      });
    },
    async 'wechat.uploadMedia'(rawArgs, scope) {
      const args = asObject(rawArgs);
      const type = String(args.type);
      if (!MEDIA_TYPES.has(type))
        throw new WechatArgumentError('type is image, voice, video or thumb', { path: 'type' });
      if (typeof args.base64 !== 'string' || args.base64 === '')
        throw new WechatArgumentError('data (the file, as bytes or base64) is required', {
          path: 'data',
        });
      const bytes = Buffer.from(args.base64, 'base64');
      if (bytes.length > MAX_MEDIA_BYTES)
        throw new WechatArgumentError(`Media is at most ${MAX_MEDIA_BYTES} bytes`, {
          path: 'data',
        });
      const form = new FormData();
      const filename =
        optionalText(args.filename) ??
        `media.${type === 'voice' ? 'amr' : type === 'video' ? 'mp4' : 'jpg'}`;
      form.append(
        'media',
        new Blob([bytes], { type: optionalText(args.contentType) ?? 'application/octet-stream' }),
        filename,
      );
      return logged(scope, await appIdFor(args, scope), {
        method: 'POST',
        path: '/cgi-bin/media/upload',
        query: { type },
        form,
      });
    },
    /**
     * 内容安全 msgSecCheck (mini-programs):
     * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
     * Version 2 (with the author's openid) answers `result.suggest`; version 1 answers errcode
     * 87014 for risky content. Either way MinCloud's `{status: 200, data: {risky}}`.
     */
    async 'wechat.censorText'(rawArgs, scope) {
      const args = asObject(rawArgs);
      if (typeof args.content !== 'string' || args.content === '')
        throw new WechatArgumentError('The text to check is required', { path: 'text' });
      const appId = await appIdFor(args, scope);
      const openid = optionalText(args.openid);
      if (openid !== undefined) {
        const scene = Number(args.scene ?? 2);
        if (![1, 2, 3, 4].includes(scene))
          throw new WechatArgumentError('scene is 1 (profile), 2 (comment), 3 (forum) or 4 (log)', {
            path: 'scene',
          });
        const answer = await logged(scope, appId, {
          method: 'POST',
          path: '/wxa/msg_sec_check',
          body: { content: args.content, version: 2, scene, openid },
        });
        const result = asObject(answer.result);
        return { status: 200, data: { risky: result.suggest !== 'pass', result } };
      }
      try {
        await logged(scope, appId, {
          method: 'POST',
          path: '/wxa/msg_sec_check',
          body: { content: args.content },
        });
        return { status: 200, data: { risky: false } };
      } catch (err) {
        if (err instanceof WechatApiError && err.code === 87014)
          return { status: 200, data: { risky: true } };
        throw err;
      }
    },
    async 'wechat.call'(rawArgs, scope) {
      const args = asObject(rawArgs);
      const path = String(args.path);
      if (!API_PATH.test(path))
        throw new WechatArgumentError('path is a WeChat API path such as /cgi-bin/menu/get', {
          path: 'path',
        });
      const method = String(
        args.method ?? (args.body === undefined ? 'GET' : 'POST'),
      ).toUpperCase();
      if (method !== 'GET' && method !== 'POST')
        throw new WechatArgumentError('method is GET or POST', { path: 'method' });
      const query: Record<string, string> = {};
      for (const [k, v] of Object.entries(asObject(args.query)))
        if (k !== 'access_token' && v !== undefined && v !== null) query[k] = String(v);
      return logged(scope, await appIdFor(args, scope), {
        method,
        path,
        query,
        ...(args.body === undefined ? {} : { body: args.body }),
      });
    },
  };
}
