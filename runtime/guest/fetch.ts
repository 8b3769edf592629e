/**
 * `fetch`, `Headers` and `Response`: a WHATWG-shaped subset over the engine's outgoing HTTP
 * (http-out.ts). Bodies are buffered (no streams): `text()`, `json()`, `arrayBuffer()` and
 * `bytes()` read them once, as in the standard. `redirect: 'follow' | 'manual' | 'error'`;
 * `signal`, `cache`, `credentials` and `mode` have no meaning here and are ignored.
 */
import type { HostRequest } from './baas.ts';
import { toBytes, utf8Decode, utf8Encode } from './bytes.ts';
import { encodeBody, normaliseHeaders, sendHttp } from './http-out.ts';
import {
  JSONParse,
  NativeString,
  NativeTypeError,
  NativeUint8Array,
  ObjectKeys,
} from './intrinsics.ts';
import { URL } from './url.ts';

export class Headers {
  #map: Record<string, string>;

  constructor(init?: unknown) {
    this.#map = normaliseHeaders(init instanceof Headers ? init.#entries() : init);
  }
  #entries(): [string, string][] {
    return ObjectKeys(this.#map)
      .sort()
      .map((k) => [k, this.#map[k] as string]);
  }
  get(name: unknown): string | null {
    return this.#map[NativeString(name).toLowerCase()] ?? null;
  }
  has(name: unknown): boolean {
    return this.#map[NativeString(name).toLowerCase()] !== undefined;
  }
  set(name: unknown, value: unknown): void {
    this.#map[NativeString(name).toLowerCase()] = NativeString(value);
  }
  append(name: unknown, value: unknown): void {
    const key = NativeString(name).toLowerCase();
    const old = this.#map[key];
    this.#map[key] = old === undefined ? NativeString(value) : `${old}, ${NativeString(value)}`;
  }
  delete(name: unknown): void {
    delete this.#map[NativeString(name).toLowerCase()];
  }
  forEach(callback: (value: string, name: string, headers: Headers) => void): void {
    for (const [k, v] of this.#entries()) callback(v, k, this);
  }
  entries(): IterableIterator<[string, string]> {
    return this.#entries()[Symbol.iterator]();
  }
  keys(): IterableIterator<string> {
    const names = this.#entries().map((e) => e[0]);
    return names[Symbol.iterator]();
  }
  values(): IterableIterator<string> {
    const values = this.#entries().map((e) => e[1]);
    return values[Symbol.iterator]();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}

export class Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly redirected: boolean;
  readonly type = 'basic';
  #body: Uint8Array;
  #used = false;

  /** As the standard's: `new Response(body?, {status, statusText, headers})`. */
  constructor(
    body?: unknown,
    init: {
      status?: number;
      statusText?: string;
      headers?: unknown;
      url?: string;
      redirected?: boolean;
    } = {},
  ) {
    this.#body =
      body === undefined || body === null
        ? new NativeUint8Array(0)
        : (toBytes(body) ?? utf8Encode(NativeString(body)));
    this.status = init.status ?? 200;
    this.statusText = init.statusText ?? '';
    this.headers = new Headers(init.headers);
    this.url = init.url ?? '';
    this.redirected = init.redirected ?? false;
  }
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  get bodyUsed(): boolean {
    return this.#used;
  }
  #take(): Uint8Array {
    if (this.#used) throw new NativeTypeError('Body is unusable: Body has already been read');
    this.#used = true;
    return this.#body;
  }
  async bytes(): Promise<Uint8Array> {
    return this.#take().slice();
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.#take();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  async text(): Promise<string> {
    return utf8Decode(this.#take());
  }
  async json(): Promise<unknown> {
    return JSONParse(utf8Decode(this.#take()));
  }
  clone(): Response {
    if (this.#used) throw new NativeTypeError('Response.clone: Body has already been consumed.');
    return new Response(this.#body.slice(), {
      status: this.status,
      statusText: this.statusText,
      headers: this.headers,
      url: this.url,
      redirected: this.redirected,
    });
  }
}

interface Init {
  method?: unknown;
  headers?: unknown;
  body?: unknown;
  redirect?: unknown;
}

export function createFetch(
  hostRequest: HostRequest,
): (input: unknown, init?: unknown) => Promise<Response> {
  return async function fetch(input: unknown, init?: unknown): Promise<Response> {
    const options = (init ?? {}) as Init;
    const url =
      typeof input === 'string' || input instanceof URL
        ? NativeString(input)
        : NativeString((input as { url?: unknown } | null)?.url ?? input);
    const href = new URL(url).href;
    const method = NativeString(options.method ?? 'GET').toUpperCase();
    const headers = normaliseHeaders(
      options.headers instanceof Headers ? [...options.headers.entries()] : options.headers,
    );
    if ((method === 'GET' || method === 'HEAD') && options.body != null)
      throw new NativeTypeError('Request with GET/HEAD method cannot have body.');
    const body = encodeBody(options.body, headers, false);
    const redirect = options.redirect === undefined ? 'follow' : NativeString(options.redirect);
    if (redirect !== 'follow' && redirect !== 'manual' && redirect !== 'error')
      throw new NativeTypeError(`Invalid redirect mode: ${redirect}`);
    const response = await sendHttp(hostRequest, {
      url: href,
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      redirect,
    });
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      url: response.url,
      redirected: response.redirected,
    });
  };
}
