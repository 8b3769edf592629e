/**
 * The one way out to HTTP for `BaaS.request` and `fetch`: the request crosses to the engine
 * (`http.request`), which checks the target (SSRF guard), follows redirects itself and counts
 * the run's requests and bytes. Bodies cross as base64.
 */
import type { HostRequest } from './baas.ts';
import { base64ToBytes, bytesToBase64, toBytes, utf8Encode } from './bytes.ts';
import { JSONStringify, NativeString, ObjectKeys } from './intrinsics.ts';
import { URLSearchParams } from './url.ts';

export interface OutgoingRequest {
  url: string;
  method: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body?: Uint8Array;
  timeoutMs?: number;
  redirect?: 'follow' | 'manual' | 'error';
}

export interface IncomingResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Uint8Array;
  url: string;
  redirected: boolean;
}

interface HostAnswer {
  status: number;
  statusText: string;
  headers: Record<string, string>;
  body: string;
  url: string;
  redirected: boolean;
}

export async function sendHttp(
  hostRequest: HostRequest,
  request: OutgoingRequest,
): Promise<IncomingResponse> {
  const answer = (await hostRequest('http.request', {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: request.body === undefined ? undefined : bytesToBase64(request.body),
    timeoutMs: request.timeoutMs,
    redirect: request.redirect,
  })) as HostAnswer;
  return {
    status: answer.status,
    statusText: answer.statusText,
    headers: answer.headers,
    body: base64ToBytes(answer.body),
    url: answer.url,
    redirected: answer.redirected,
  };
}

/**
 * Encodes a body the way axios and fetch do: strings as UTF-8 text, URLSearchParams as a
 * form, bytes as they are, other objects as JSON; sets content-type when none was given.
 */
export function encodeBody(
  data: unknown,
  headers: Record<string, string>,
  jsonObjects: boolean,
): Uint8Array | undefined {
  if (data === undefined || data === null) return undefined;
  const setType = (type: string): void => {
    if (headers['content-type'] === undefined) headers['content-type'] = type;
  };
  if (typeof data === 'string') {
    setType(jsonObjects ? 'application/x-www-form-urlencoded' : 'text/plain;charset=UTF-8');
    return utf8Encode(data);
  }
  if (data instanceof URLSearchParams) {
    setType('application/x-www-form-urlencoded;charset=UTF-8');
    return utf8Encode(data.toString());
  }
  const bytes = toBytes(data);
  if (bytes !== undefined) return bytes;
  if (!jsonObjects) return utf8Encode(NativeString(data));
  setType('application/json');
  return utf8Encode(JSONStringify(data));
}

/** Header names lower-cased, values as strings; accepts plain objects and [name, value] pairs. */
export function normaliseHeaders(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (input === null || input === undefined) return out;
  const add = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return;
    const key = NativeString(name).toLowerCase();
    out[key] = out[key] === undefined ? NativeString(value) : `${out[key]}, ${NativeString(value)}`;
  };
  if (Array.isArray(input)) {
    for (const pair of input as unknown[][]) add(pair[0], pair[1]);
    return out;
  }
  const maybeForEach = (input as { forEach?: unknown }).forEach;
  if (typeof maybeForEach === 'function') {
    (input as { forEach: (cb: (v: unknown, k: unknown) => void) => void }).forEach((v, k) =>
      add(k, v),
    );
    return out;
  }
  for (const key of ObjectKeys(input as object)) add(key, (input as Record<string, unknown>)[key]);
  return out;
}
