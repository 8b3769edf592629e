/**
 * `BaaS.wxAccessToken`, `BaaS.wechat.*` and MinCloud's `BaaS.sendTemplateMessage`: thin
 * wrappers that send named host requests. The engine's main process holds the AppSecret and
 * the access token (engine/wechat-api/); a function never sees the secret, and WeChat's
 * errcode/errmsg come back as a rejected promise with `code` (the errcode), `message` (the
 * errmsg) and `reason` (a stable `E_WECHAT_API_…`).
 */
import type { HostRequest } from './baas.ts';
import { bytesToBase64 } from './bytes.ts';
import { NativeString, NativeTypeError } from './intrinsics.ts';

interface Options {
  appId?: string;
}

function appIdOf(options: unknown): string | undefined {
  if (options === null || typeof options !== 'object') return undefined;
  const appId = (options as Options).appId;
  return appId === undefined ? undefined : NativeString(appId);
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object'
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

export function createWechatApi(request: HostRequest): {
  wxAccessToken: (signKey?: unknown, options?: unknown) => Promise<unknown>;
  wxCensorText: (text: unknown, options?: unknown) => Promise<unknown>;
  api: Record<string, unknown>;
} {
  // MinCloud's signature is wxAccessToken(event.signKey); the key is not needed here.
  const wxAccessToken = (signKey?: unknown, options?: unknown): Promise<unknown> =>
    request('wechat.token', {
      appId: appIdOf(options) ?? appIdOf(typeof signKey === 'object' ? signKey : undefined),
    });

  // MinCloud's wxCensorText(text): resolves {data: {risky}}; with {openid} WeChat's version 2.
  const wxCensorText = (text: unknown, options?: unknown): Promise<unknown> =>
    request('wechat.censorText', {
      content: NativeString(text),
      openid: field(options, 'openid'),
      scene: field(options, 'scene'),
      appId: appIdOf(options),
    });

  const api: Record<string, unknown> = {
    accessToken: wxAccessToken,
    censorText: wxCensorText,
    sendCustomerMessage: (message: unknown, options?: unknown) =>
      request('wechat.customMessage', { message, appId: appIdOf(options) }),
    sendTemplateMessage: (data: unknown, options?: unknown) =>
      request('wechat.templateMessage', { data, appId: appIdOf(options) }),
    sendSubscribeMessage: (data: unknown, options?: unknown) =>
      request('wechat.subscribeMessage', { data, appId: appIdOf(options) }),
    getUserInfo: (openid: unknown, options?: unknown) =>
      request('wechat.userInfo', {
        openid: NativeString(openid),
        lang: field(options, 'lang'),
        appId: appIdOf(options),
      }),
    uploadMedia: (media: unknown, options?: unknown) => {
      const data = field(media, 'data');
      return request('wechat.uploadMedia', {
        type: field(media, 'type'),
        filename: field(media, 'filename'),
        contentType: field(media, 'contentType'),
        base64: typeof data === 'string' ? data : bytesToBase64(data),
        appId: appIdOf(options),
      });
    },
    /** Answers the user who pushed `event` with a customer-service message (no 5 s budget). */
    reply: (event: unknown, message: unknown, options?: unknown) => {
      const data = field(event, 'data');
      const toUser = field(data, 'FromUserName');
      if (typeof toUser !== 'string' || toUser === '')
        return Promise.reject(
          new NativeTypeError(
            'BaaS.wechat.reply(event, message) needs the event of a WeChat push (event.data.FromUserName)',
          ),
        );
      const pushAppId = field(data, '_AppId');
      return request('wechat.reply', {
        toUser,
        message,
        appId: appIdOf(options) ?? (typeof pushAppId === 'string' ? pushAppId : undefined),
      });
    },
    /** Any other WeChat API path, with the token filled in and refreshed as for the calls above. */
    call: (path: unknown, options?: unknown) =>
      request('wechat.call', {
        path: NativeString(path),
        method: field(options, 'method'),
        query: field(options, 'query'),
        body: field(options, 'body'),
        appId: appIdOf(options),
      }),
  };
  return { wxAccessToken, wxCensorText, api };
}
