/**
 * HTTP to WeChat's API (`CLOUDFN_WECHAT_API_URL`, https://api.weixin.qq.com by default): JSON
 * in and out. The base URL is the operator's setting, not a function's, so no SSRF check
 * applies; functions cannot choose the host, only the path (`BaaS.wechat.call`).
 */
import { WechatUnreachableError } from './errors.ts';

export interface WechatHttpRequest {
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  /** JSON body, or a multipart form (media upload). */
  body?: unknown;
  form?: FormData;
}

export type WechatHttp = (request: WechatHttpRequest) => Promise<Record<string, unknown>>;

/** Bytes of a WeChat answer read at most (user lists and media ids are small). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export function createWechatHttp(baseUrl: string, timeoutMs = 10_000): WechatHttp {
  const base = baseUrl.replace(/\/+$/, '');
  return async ({ method, path, query, body, form }) => {
    const url = `${base}${path.startsWith('/') ? path : `/${path}`}?${new URLSearchParams(query)}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
        ...(form !== undefined
          ? { body: form }
          : body !== undefined
            ? {
                body: JSON.stringify(body),
                headers: { 'content-type': 'application/json; charset=utf-8' },
              }
            : {}),
      });
    } catch (err) {
      throw new WechatUnreachableError(
        `WeChat's API at ${base} did not answer: ${(err as Error).message}`,
      );
    }
    const text = await response.text();
    if (text.length > MAX_ANSWER_BYTES)
      throw new WechatUnreachableError(
        `WeChat's answer to ${path} is over ${MAX_ANSWER_BYTES} bytes`,
      );
    try {
      const json = JSON.parse(text) as unknown;
      if (json !== null && typeof json === 'object' && !Array.isArray(json))
        return json as Record<string, unknown>;
    } catch {
      // fall through
    }
    throw new WechatUnreachableError(
      `WeChat's API answered ${path} with HTTP ${response.status} and no JSON object`,
    );
  };
}
