/**
 * A fake of WeChat's server API (api.weixin.qq.com) for tests: koa on 127.0.0.1:0, behaving as
 * WeChat's public documentation says, so the engine is tested without the internet.
 *
 * - GET /cgi-bin/token — 获取 Access token:
 *   https://developers.weixin.qq.com/doc/offiaccount/Basic_Information/Get_access_token.html
 *   (`{access_token, expires_in: 7200}`; 40002 bad grant_type, 40013 invalid appid, 40125
 *   invalid appsecret; -1 system busy when a test makes it fail)
 * - POST /cgi-bin/message/custom/send — 客服消息:
 *   https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Service_Center_messages.html
 * - POST /cgi-bin/message/template/send — 模板消息 (`{errcode: 0, errmsg: 'ok', msgid}`):
 *   https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
 * - POST /cgi-bin/message/subscribe/send — 订阅消息 (43101 when the user refused):
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 * - GET /cgi-bin/user/info — 获取用户基本信息:
 *   https://developers.weixin.qq.com/doc/offiaccount/User_Management/Get_users_basic_information_UnionID.html
 * - POST /cgi-bin/media/upload — 新增临时素材 (`{type, media_id, created_at}`):
 *   https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html
 * - POST /wxa/msg_sec_check — 内容安全 (version 1: errcode 87014 for risky content; version 2:
 *   `result: {suggest, label}` and `detail`):
 *   https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/sec-center/sec-check/msgSecCheck.html
 *   Text containing "RISKY" is risky here.
 * - every API call: 41001 without access_token, 40001 for a token that is not valid (revoked
 *   or unknown), 42001 for an expired one, 45009 past a quota a test sets. Codes from 全局返回码:
 *   https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html
 *
 * It records every call (path, query, JSON body) and counts them, and tests can revoke or
 * expire tokens, make token fetches fail, refuse a user's subscribe messages, or set quotas.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import Router from '@koa/router';

export interface FakeCall {
  path: string;
  query: Record<string, string>;
  body: unknown;
  contentType: string | undefined;
  bytes: number;
}

interface TokenState {
  appId: string;
  state: 'valid' | 'revoked' | 'expired';
}

export interface FakeWechatApi {
  url: string;
  calls: FakeCall[];
  /** Calls of one path (e.g. '/cgi-bin/token'). */
  count(path: string): number;
  callsTo(path: string): FakeCall[];
  /** Every token issued so far for this account stops working: 40001 (as after a refetch elsewhere). */
  revokeTokens(appId: string): void;
  /** Every token issued so far for this account expires: 42001. */
  expireTokens(appId: string): void;
  /** The next `n` token fetches answer `errcode` (default -1, system busy). */
  failTokenFetches(n: number, errcode?: number): void;
  /** Subscribe messages to this openid answer 43101 (the user did not accept). */
  refuseSubscribe(openid: string): void;
  /** After `n` more calls, this path answers 45009 (daily quota reached). */
  setQuota(path: string, n: number): void;
  /** Holds token answers until `release()` is called (to line up concurrent callers). */
  holdTokens(): { release(): void };
  close(): Promise<void>;
}

const MSG_TYPES: Record<string, string[]> = {
  text: ['content'],
  image: ['media_id'],
  voice: ['media_id'],
  video: ['media_id'],
  music: ['thumb_media_id'],
  news: ['articles'],
  mpnews: ['media_id'],
  msgmenu: ['list'],
  wxcard: ['card_id'],
  miniprogrampage: ['title', 'pagepath', 'thumb_media_id'],
};

export async function startFakeWechatApi(options: {
  /** appId → AppSecret of the accounts the fake knows. */
  accounts: Record<string, string>;
  expiresIn?: number;
}): Promise<FakeWechatApi> {
  const calls: FakeCall[] = [];
  const tokens = new Map<string, TokenState>();
  const refused = new Set<string>();
  const quotas = new Map<string, number>();
  let failing: { n: number; errcode: number } = { n: 0, errcode: -1 };
  let issued = 0;
  let held: Promise<void> | undefined;
  let release: (() => void) | undefined;

  const app = new Koa();
  const router = new Router();

  app.use(async (ctx, next) => {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const contentType = ctx.get('content-type') || undefined;
    let body: unknown = undefined;
    if (raw.length > 0 && contentType?.includes('json')) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        ctx.body = { errcode: 47001, errmsg: 'data format error' };
        return;
      }
    } else if (raw.length > 0) body = raw.toString('latin1');
    calls.push({
      path: ctx.path,
      query: Object.fromEntries(new URLSearchParams(ctx.querystring)),
      body,
      contentType,
      bytes: raw.length,
    });
    ctx.state.body = body;
    await next();
  });

  router.get('/cgi-bin/token', async (ctx) => {
    const { grant_type: grant, appid, secret } = ctx.query as Record<string, string>;
    if (held) await held;
    if (grant !== 'client_credential')
      return void (ctx.body = { errcode: 40002, errmsg: 'invalid grant_type' });
    if (failing.n > 0) {
      failing.n--;
      return void (ctx.body = { errcode: failing.errcode, errmsg: 'system error' });
    }
    if (!appid || !(appid in options.accounts))
      return void (ctx.body = { errcode: 40013, errmsg: 'invalid appid' });
    if (options.accounts[appid] !== secret)
      return void (ctx.body = { errcode: 40125, errmsg: 'invalid appsecret' });
    const token = `TOKEN_${appid}_${++issued}`;
    tokens.set(token, { appId: appid, state: 'valid' });
    ctx.body = { access_token: token, expires_in: options.expiresIn ?? 7200 };
  });

  /** Checks access_token and quota; answers the error and returns undefined when one applies. */
  function authorise(ctx: Koa.Context): string | undefined {
    const token = ctx.query.access_token;
    if (typeof token !== 'string' || token === '') {
      ctx.body = { errcode: 41001, errmsg: 'access_token missing' };
      return undefined;
    }
    const state = tokens.get(token);
    if (state === undefined || state.state === 'revoked') {
      ctx.body = {
        errcode: 40001,
        errmsg: 'invalid credential, access_token is invalid or not latest',
      };
      return undefined;
    }
    if (state.state === 'expired') {
      ctx.body = { errcode: 42001, errmsg: 'access_token expired' };
      return undefined;
    }
    const left = quotas.get(ctx.path);
    if (left !== undefined) {
      if (left <= 0) {
        ctx.body = { errcode: 45009, errmsg: 'reach max api daily quota limit' };
        return undefined;
      }
      quotas.set(ctx.path, left - 1);
    }
    return state.appId;
  }

  const invalid = (ctx: Koa.Context, errmsg: string) =>
    void (ctx.body = { errcode: 47001, errmsg: `data format error: ${errmsg}` });
  const isText = (v: unknown) => typeof v === 'string' && v !== '';
  const isOpenid = (v: unknown) => isText(v) && /^[A-Za-z0-9_-]{6,64}$/.test(v as string);

  router.post('/cgi-bin/message/custom/send', (ctx) => {
    if (authorise(ctx) === undefined) return;
    const b = ctx.state.body as Record<string, any> | undefined;
    if (!b || typeof b !== 'object') return invalid(ctx, 'no JSON body');
    if (!isOpenid(b.touser)) return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
    const fields = MSG_TYPES[b.msgtype];
    if (!fields) return void (ctx.body = { errcode: 40008, errmsg: 'invalid message type' });
    const inner = b[b.msgtype];
    if (!inner || fields.some((f) => inner[f] === undefined)) return invalid(ctx, b.msgtype);
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });

  /**
   * The checks template and subscribe sends share (token, recipient, template_id, data):
   * the body when they pass, else undefined with WeChat's error already answered.
   */
  function templatedBody(ctx: Koa.Context): Record<string, any> | undefined {
    if (authorise(ctx) === undefined) return undefined;
    const b = ctx.state.body as Record<string, any> | undefined;
    if (!b || typeof b !== 'object') return invalid(ctx, 'no JSON body');
    if (!isOpenid(b.touser)) return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
    if (!isText(b.template_id))
      return void (ctx.body = { errcode: 40037, errmsg: 'invalid template_id' });
    if (!b.data || typeof b.data !== 'object') return invalid(ctx, 'data');
    return b;
  }

  router.post('/cgi-bin/message/template/send', (ctx) => {
    const b = templatedBody(ctx);
    if (b === undefined) return;
    ctx.body = { errcode: 0, errmsg: 'ok', msgid: 200228332 + calls.length };
  });

  router.post('/cgi-bin/message/subscribe/send', (ctx) => {
    const b = templatedBody(ctx);
    if (b === undefined) return;
    if (refused.has(b.touser))
      return void (ctx.body = { errcode: 43101, errmsg: 'user refuse to accept the msg' });
    ctx.body = { errcode: 0, errmsg: 'ok' };
  });

  router.get('/cgi-bin/user/info', (ctx) => {
    if (authorise(ctx) === undefined) return;
    const openid = ctx.query.openid;
    if (!isOpenid(openid)) return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
    ctx.body = {
      subscribe: 1,
      openid,
      language: ctx.query.lang ?? 'zh_CN',
      subscribe_time: 1382694957,
      remark: '',
      groupid: 0,
      tagid_list: [],
      subscribe_scene: 'ADD_SCENE_QR_CODE',
      qr_scene: 0,
      qr_scene_str: '',
    };
  });

  router.post('/cgi-bin/media/upload', (ctx) => {
    if (authorise(ctx) === undefined) return;
    const type = ctx.query.type;
    if (!['image', 'voice', 'video', 'thumb'].includes(String(type)))
      return void (ctx.body = { errcode: 40004, errmsg: 'invalid media type' });
    const body = String(ctx.state.body ?? '');
    if (!ctx.get('content-type').startsWith('multipart/form-data') || !/name="media"/.test(body))
      return void (ctx.body = { errcode: 41005, errmsg: 'media data missing' });
    ctx.body = { type, media_id: `MEDIA_${calls.length}`, created_at: 1700000000 };
  });

  router.post('/wxa/msg_sec_check', (ctx) => {
    if (authorise(ctx) === undefined) return;
    const b = ctx.state.body as Record<string, any> | undefined;
    if (!b || typeof b.content !== 'string') return invalid(ctx, 'content');
    const risky = b.content.includes('RISKY');
    if (b.version === 2) {
      if (!isOpenid(b.openid) || ![1, 2, 3, 4].includes(b.scene))
        return void (ctx.body = { errcode: 40003, errmsg: 'invalid openid' });
      ctx.body = {
        errcode: 0,
        errmsg: 'ok',
        result: { suggest: risky ? 'risky' : 'pass', label: risky ? 20001 : 100 },
        detail: [],
        trace_id: 'trace',
      };
      return;
    }
    ctx.body = risky ? { errcode: 87014, errmsg: 'risky content' } : { errcode: 0, errmsg: 'ok' };
  });

  app.use(router.routes());
  app.use((ctx) => {
    if (ctx.body === undefined) {
      ctx.status = 404;
      ctx.body = { errcode: 40066, errmsg: 'invalid url' };
    }
  });

  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const setAll = (appId: string, state: TokenState['state']) => {
    for (const token of tokens.values()) if (token.appId === appId) token.state = state;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    count: (path) => calls.filter((c) => c.path === path).length,
    callsTo: (path) => calls.filter((c) => c.path === path),
    revokeTokens: (appId) => setAll(appId, 'revoked'),
    expireTokens: (appId) => setAll(appId, 'expired'),
    failTokenFetches(n, errcode = -1) {
      failing = { n, errcode };
    },
    refuseSubscribe: (openid) => void refused.add(openid),
    setQuota: (path, n) => void quotas.set(path, n),
    holdTokens() {
      held = new Promise((resolve) => {
        release = resolve;
      });
      return {
        release() {
          held = undefined;
          release?.();
        },
      };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
