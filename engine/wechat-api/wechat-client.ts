/**
 * One WeChat API call with the account's access token: the token is filled in, and when
 * WeChat says it is invalid or expired (40001/40014/42001) it is dropped, fetched once more
 * (single-flight, token-manager.ts) and the call is retried once — so a token revoked by
 * another service mid-run costs one refetch and no function sees 40001. Any other errcode
 * becomes a WechatApiError.
 */
import { TOKEN_ERRCODES } from './errcodes.ts';
import { WechatApiError } from './errors.ts';
import type { TokenManager } from './token-manager.ts';
import type { WechatHttp, WechatHttpRequest } from './wechat-http.ts';

export type WechatCall = (
  appId: string,
  request: Omit<WechatHttpRequest, 'query'> & { query?: Record<string, string> },
) => Promise<Record<string, unknown>>;

export function createWechatCall(http: WechatHttp, tokens: TokenManager): WechatCall {
  return async (appId, request) => {
    const send = (accessToken: string) =>
      http({ ...request, query: { ...request.query, access_token: accessToken } });
    let token = await tokens.get(appId);
    let answer = await send(token.accessToken);
    if (TOKEN_ERRCODES.has(Number(answer.errcode))) {
      await tokens.invalidate(appId, token.accessToken);
      token = await tokens.get(appId);
      answer = await send(token.accessToken);
    }
    const errcode = Number(answer.errcode ?? 0);
    if (errcode !== 0) throw new WechatApiError(errcode, String(answer.errmsg ?? ''));
    return answer;
  };
}
