/**
 * `BaaS.request`: MinCloud wraps axios (hydrogen-sdk-doc cloud-function/node-sdk/request.md),
 * so this follows axios's shape: `BaaS.request(config)` / `(url, config)`, `.get/.delete/.head
 * (url, config)`, `.post/.put/.patch(url, data, config)`; resolves `{status, statusText,
 * headers, data, config}`; rejects for statuses outside 2xx with an error carrying `response`
 * and `code` (`ERR_BAD_REQUEST` 4xx, `ERR_BAD_RESPONSE` 5xx), like axios.
 */
import type { HostRequest } from './baas.ts';
import { utf8Decode } from './bytes.ts';
import { encodeBody, normaliseHeaders, sendHttp } from './http-out.ts';
import { JSONParse, NativeError, NativeString, ObjectKeys } from './intrinsics.ts';
import { URL } from './url.ts';

interface Config {
  url?: unknown;
  method?: unknown;
  baseURL?: unknown;
  data?: unknown;
  headers?: unknown;
  params?: unknown;
  timeout?: unknown;
  responseType?: unknown;
  maxRedirects?: unknown;
  validateStatus?: unknown;
}

function buildUrl(config: Config): string {
  const raw = NativeString(config.url ?? '');
  const url =
    config.baseURL !== undefined && !/^[a-z][a-z0-9+.-]*:/i.test(raw)
      ? new URL(raw, NativeString(config.baseURL))
      : new URL(raw);
  const params = config.params;
  if (params !== null && typeof params === 'object') {
    for (const key of ObjectKeys(params)) {
      const value = (params as Record<string, unknown>)[key];
      if (value !== undefined && value !== null) url.searchParams.append(key, NativeString(value));
    }
  }
  return url.href;
}

async function run(hostRequest: HostRequest, config: Config): Promise<unknown> {
  const method = NativeString(config.method ?? 'get').toUpperCase();
  const headers = normaliseHeaders(config.headers);
  if (headers.accept === undefined) headers.accept = 'application/json, text/plain, */*';
  const body = encodeBody(config.data, headers, true);
  const timeout = typeof config.timeout === 'number' && config.timeout > 0 ? config.timeout : 0;
  const response = await sendHttp(hostRequest, {
    url: buildUrl(config),
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    ...(timeout > 0 ? { timeoutMs: timeout } : {}),
    redirect: config.maxRedirects === 0 ? 'manual' : 'follow',
  });
  let data: unknown;
  if (config.responseType === 'arraybuffer')
    data = response.body.buffer.slice(
      response.body.byteOffset,
      response.body.byteOffset + response.body.byteLength,
    );
  else {
    const text = utf8Decode(response.body);
    data = text;
    // axios's default transformResponse: JSON when it parses, the text otherwise.
    if (config.responseType !== 'text' && text !== '') {
      try {
        data = JSONParse(text);
      } catch {
        data = text;
      }
    }
  }
  const result = {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
    data,
    config,
    request: { url: response.url, redirected: response.redirected },
  };
  const valid =
    typeof config.validateStatus === 'function'
      ? Boolean((config.validateStatus as (s: number) => unknown)(response.status))
      : response.status >= 200 && response.status < 300;
  if (!valid) {
    const error = new NativeError(`Request failed with status code ${response.status}`) as Error & {
      code: string;
      response: unknown;
      config: unknown;
      isAxiosError: boolean;
      status: number;
    };
    error.name = 'AxiosError';
    error.code = response.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST';
    error.response = result;
    error.config = config;
    error.isAxiosError = true;
    error.status = response.status;
    throw error;
  }
  return result;
}

export function createRequest(hostRequest: HostRequest): unknown {
  function request(urlOrConfig: unknown, config?: unknown): Promise<unknown> {
    const merged: Config =
      typeof urlOrConfig === 'string'
        ? { ...(config as Config | undefined), url: urlOrConfig }
        : { ...(urlOrConfig as Config | undefined) };
    return run(hostRequest, merged);
  }
  const withoutData =
    (method: string) =>
    (url: unknown, config?: unknown): Promise<unknown> =>
      run(hostRequest, { ...(config as Config | undefined), url, method });
  const withData =
    (method: string) =>
    (url: unknown, data?: unknown, config?: unknown): Promise<unknown> =>
      run(hostRequest, { ...(config as Config | undefined), url, method, data });
  request.request = (config: unknown) => run(hostRequest, { ...(config as Config) });
  request.get = withoutData('get');
  request.delete = withoutData('delete');
  request.head = withoutData('head');
  request.options = withoutData('options');
  request.post = withData('post');
  request.put = withData('put');
  request.patch = withData('patch');
  return request;
}
