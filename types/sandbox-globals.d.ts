/**
 * The web globals of a cloudfn function's sandbox (docs/functions.md, "What a function can
 * use"): URL, URLSearchParams, TextEncoder, TextDecoder and crypto, with what the sandbox
 * implements (runtime/guest/). Kept apart from baas.d.ts because Node's typings declare the
 * same names as variables of other types: a function project (`cloudfn init`) uses both
 * files with no @types/node; cloudfn's own typecheck, which has Node's, leaves this one out.
 */

// ---------------------------------------------------------------------------------------
// URL and URLSearchParams (WHATWG shape, without IDNA / IPv6 hosts)
// ---------------------------------------------------------------------------------------

interface URLSearchParams {
  readonly size: number;
  append(name: string, value: string): void;
  delete(name: string, value?: string): void;
  get(name: string): string | null;
  getAll(name: string): string[];
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
  sort(): void;
  forEach(callback: (value: string, key: string, parent: URLSearchParams) => void): void;
  keys(): IterableIterator<string>;
  values(): IterableIterator<string>;
  entries(): IterableIterator<[string, string]>;
  [Symbol.iterator](): IterableIterator<[string, string]>;
  toString(): string;
}
// eslint-disable-next-line no-var
declare var URLSearchParams: {
  prototype: URLSearchParams;
  new (
    init?: string | Record<string, string> | Iterable<[string, string]> | URLSearchParams,
  ): URLSearchParams;
};

interface URL {
  href: string;
  readonly origin: string;
  protocol: string;
  username: string;
  password: string;
  host: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  readonly searchParams: URLSearchParams;
  hash: string;
  toString(): string;
  toJSON(): string;
}
// eslint-disable-next-line no-var
declare var URL: {
  prototype: URL;
  new (url: string | URL, base?: string | URL): URL;
  canParse(url: string | URL, base?: string | URL): boolean;
};

// ---------------------------------------------------------------------------------------
// TextEncoder and TextDecoder (UTF-8 only)
// ---------------------------------------------------------------------------------------

interface TextEncoder {
  readonly encoding: 'utf-8';
  encode(input?: string): Uint8Array;
  encodeInto(input: string, destination: Uint8Array): { read: number; written: number };
}
// eslint-disable-next-line no-var
declare var TextEncoder: { prototype: TextEncoder; new (): TextEncoder };

interface TextDecoder {
  readonly encoding: 'utf-8';
  readonly fatal: boolean;
  readonly ignoreBOM: boolean;
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}
// eslint-disable-next-line no-var
declare var TextDecoder: {
  prototype: TextDecoder;
  /** Only "utf-8" (and its aliases "utf8", "unicode-1-1-utf-8"); anything else throws RangeError. */
  new (label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean }): TextDecoder;
};

// ---------------------------------------------------------------------------------------
// crypto: random values from the host's CSPRNG (no crypto.subtle)
// ---------------------------------------------------------------------------------------

interface Crypto {
  /** Fills an integer typed array (at most 65536 bytes) with random values, and returns it. */
  getRandomValues<
    T extends
      | Int8Array
      | Uint8Array
      | Uint8ClampedArray
      | Int16Array
      | Uint16Array
      | Int32Array
      | Uint32Array
      | BigInt64Array
      | BigUint64Array,
  >(
    array: T,
  ): T;
  /** A random version-4 UUID, e.g. "5b7c1c9e-3f0a-4d2b-9a8e-1f2d3c4b5a69". */
  randomUUID(): `${string}-${string}-${string}-${string}-${string}`;
}
// eslint-disable-next-line no-var
declare var crypto: Crypto;
