/**
 * A compact URL / URLSearchParams for the guest (bare V8 has neither). It follows the WHATWG
 * shape for what functions do with URLs — parse, resolve against a base, read and set parts,
 * edit query strings — without IDNA or IPv6 host parsing.
 */
const SPECIAL_PORTS: Record<string, string> = {
  'http:': '80',
  'https:': '443',
  'ws:': '80',
  'wss:': '443',
  'ftp:': '21',
  'file:': '',
};

function encodeSet(s: string, re: RegExp): string {
  return s.replace(re, (c) => encodeURIComponent(c));
}
const encodePath = (s: string): string => encodeSet(s, /[\s"<>`#?{}]/g);
const encodeQuery = (s: string): string => encodeSet(s, /[\s"<>`#]/g);
const encodeHash = (s: string): string => encodeSet(s, /[\s"<>`]/g);
const encodeUserinfo = (s: string): string => encodeSet(s, /[\s"<>`#?{}/:;=@[\]\\^|]/g);

function formDecode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}
function formEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function normalizePath(path: string): string {
  const out: string[] = [];
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i] as string;
    const last = i === segments.length - 1;
    if (seg === '..' || seg.toLowerCase() === '%2e%2e') {
      out.pop();
      if (last) out.push('');
    } else if (seg === '.' || seg.toLowerCase() === '%2e') {
      if (last) out.push('');
    } else out.push(seg);
  }
  return `/${out.join('/')}`;
}

interface Parts {
  protocol: string;
  username: string;
  password: string;
  hostname: string;
  port: string;
  pathname: string;
  search: string;
  hash: string;
  opaque: boolean;
}

function splitTail(rest: string): { path: string; search: string; hash: string } {
  let hash = '';
  let search = '';
  const h = rest.indexOf('#');
  if (h >= 0) {
    hash = rest.slice(h);
    rest = rest.slice(0, h);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    search = rest.slice(q);
    rest = rest.slice(0, q);
  }
  return {
    path: rest,
    search: search === '?' ? '' : encodeQuery(search),
    hash: hash === '#' ? '' : encodeHash(hash),
  };
}

function parseAuthority(parts: Parts, authority: string): void {
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    const info = authority.slice(0, at);
    authority = authority.slice(at + 1);
    const colon = info.indexOf(':');
    parts.username = encodeUserinfo(colon >= 0 ? info.slice(0, colon) : info);
    parts.password = colon >= 0 ? encodeUserinfo(info.slice(colon + 1)) : '';
  }
  const m = /^([^:]*)(?::(\d*))?$/.exec(authority);
  if (!m) throw new TypeError('Invalid URL');
  const host = (m[1] as string).toLowerCase();
  if (/[\s#%/:<>?@[\\\]^|]/.test(host)) throw new TypeError('Invalid URL');
  if (host === '' && parts.protocol !== 'file:') throw new TypeError('Invalid URL');
  parts.hostname = host;
  const port = m[2] ?? '';
  if (port !== '' && Number(port) > 65535) throw new TypeError('Invalid URL');
  parts.port =
    port === '' || String(Number(port)) === SPECIAL_PORTS[parts.protocol]
      ? ''
      : String(Number(port));
}

function parseAbsolute(input: string): Parts | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(.*)$/s.exec(input);
  if (!m) return undefined;
  const parts: Parts = {
    protocol: `${(m[1] as string).toLowerCase()}:`,
    username: '',
    password: '',
    hostname: '',
    port: '',
    pathname: '',
    search: '',
    hash: '',
    opaque: false,
  };
  const special = Object.hasOwn(SPECIAL_PORTS, parts.protocol);
  let rest = m[2] as string;
  if (special) rest = rest.replace(/\\/g, '/');
  const tail = splitTail(rest);
  parts.search = tail.search;
  parts.hash = tail.hash;
  if (special || tail.path.startsWith('//')) {
    const p = special ? tail.path.replace(/^\/*/, '') : tail.path.slice(2);
    const slash = p.indexOf('/');
    parseAuthority(parts, slash >= 0 ? p.slice(0, slash) : p);
    parts.pathname = normalizePath(encodePath(slash >= 0 ? p.slice(slash) : '/'));
    if (!special && slash < 0) parts.pathname = '';
  } else {
    parts.opaque = !tail.path.startsWith('/');
    parts.pathname = parts.opaque ? tail.path : normalizePath(encodePath(tail.path));
  }
  return parts;
}

function resolve(input: string, base: Parts): Parts {
  if (base.opaque) {
    if (input.startsWith('#'))
      return { ...base, hash: encodeHash(input) === '#' ? '' : encodeHash(input) };
    throw new TypeError('Invalid URL');
  }
  const special = Object.hasOwn(SPECIAL_PORTS, base.protocol);
  if (special) input = input.replace(/\\/g, '/');
  if (input.startsWith('//')) return parseAbsolute(base.protocol + input) as Parts;
  const tail = splitTail(input);
  const parts: Parts = { ...base, hash: tail.hash };
  if (tail.path === '') {
    if (!input.startsWith('#')) parts.search = input.startsWith('?') ? tail.search : base.search;
    return parts;
  }
  parts.search = tail.search;
  const merged = tail.path.startsWith('/')
    ? tail.path
    : `${base.pathname.slice(0, base.pathname.lastIndexOf('/') + 1)}${tail.path}`;
  parts.pathname = normalizePath(encodePath(merged));
  return parts;
}

export class URLSearchParams {
  #list: [string, string][] = [];
  #onChange: (() => void) | undefined;

  constructor(init?: unknown) {
    if (typeof init === 'string') this.#parse(init);
    else if (init instanceof URLSearchParams) this.#list = init.#list.map(([k, v]) => [k, v]);
    else if (init !== null && typeof init === 'object') {
      if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
        for (const pair of init as Iterable<unknown>) {
          const arr = [...(pair as Iterable<unknown>)];
          if (arr.length !== 2)
            throw new TypeError('Each query pair must be an iterable [name, value] tuple');
          this.#list.push([String(arr[0]), String(arr[1])]);
        }
      } else
        for (const key of Object.keys(init))
          this.#list.push([key, String((init as Record<string, unknown>)[key])]);
    }
  }
  /** @internal */ static _bind(
    params: URLSearchParams,
    search: string,
    onChange: () => void,
  ): void {
    params.#list = [];
    params.#parse(search);
    params.#onChange = onChange;
  }
  #parse(s: string): void {
    for (const piece of (s.startsWith('?') ? s.slice(1) : s).split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      this.#list.push(
        eq >= 0
          ? [formDecode(piece.slice(0, eq)), formDecode(piece.slice(eq + 1))]
          : [formDecode(piece), ''],
      );
    }
  }
  #changed(): void {
    this.#onChange?.();
  }
  get size(): number {
    return this.#list.length;
  }
  append(name: unknown, value: unknown): void {
    this.#list.push([String(name), String(value)]);
    this.#changed();
  }
  delete(name: unknown, value?: unknown): void {
    const n = String(name);
    this.#list = this.#list.filter(
      ([k, v]) => k !== n || (value !== undefined && v !== String(value)),
    );
    this.#changed();
  }
  get(name: unknown): string | null {
    const found = this.#list.find(([k]) => k === String(name));
    return found ? found[1] : null;
  }
  getAll(name: unknown): string[] {
    return this.#list.filter(([k]) => k === String(name)).map(([, v]) => v);
  }
  has(name: unknown, value?: unknown): boolean {
    return this.#list.some(
      ([k, v]) => k === String(name) && (value === undefined || v === String(value)),
    );
  }
  set(name: unknown, value: unknown): void {
    const n = String(name);
    const i = this.#list.findIndex(([k]) => k === n);
    if (i < 0) this.#list.push([n, String(value)]);
    else
      this.#list = this.#list
        .filter(([k], j) => k !== n || j === i)
        .map((p, j) => (j === i ? [n, String(value)] : p));
    this.#changed();
  }
  sort(): void {
    this.#list.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#changed();
  }
  forEach(
    fn: (value: string, name: string, params: URLSearchParams) => void,
    thisArg?: unknown,
  ): void {
    for (const [k, v] of this.#list) fn.call(thisArg, v, k, this);
  }
  *keys(): IterableIterator<string> {
    for (const [k] of this.#list) yield k;
  }
  *values(): IterableIterator<string> {
    for (const [, v] of this.#list) yield v;
  }
  *entries(): IterableIterator<[string, string]> {
    for (const [k, v] of this.#list) yield [k, v];
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
  toString(): string {
    return this.#list.map(([k, v]) => `${formEncode(k)}=${formEncode(v)}`).join('&');
  }
}

export class URL {
  #p: Parts;
  #params: URLSearchParams;

  constructor(input: unknown, base?: unknown) {
    const s = String(input).trim();
    let parts = parseAbsolute(s);
    if (parts === undefined) {
      if (base === undefined) throw new TypeError(`Invalid URL: ${s}`);
      const b = base instanceof URL ? base.#p : parseAbsolute(String(base).trim());
      if (b === undefined) throw new TypeError(`Invalid base URL: ${String(base)}`);
      parts = resolve(s, b);
    }
    this.#p = parts;
    this.#params = new URLSearchParams();
    URLSearchParams._bind(this.#params, parts.search, () => {
      const q = this.#params.toString();
      this.#p.search = q === '' ? '' : `?${q}`;
    });
  }
  static canParse(input: unknown, base?: unknown): boolean {
    try {
      new URL(input, base);
      return true;
    } catch {
      return false;
    }
  }
  #rebind(): void {
    URLSearchParams._bind(this.#params, this.#p.search, () => {
      const q = this.#params.toString();
      this.#p.search = q === '' ? '' : `?${q}`;
    });
  }
  get href(): string {
    const p = this.#p;
    if (p.opaque) return `${p.protocol}${p.pathname}${p.search}${p.hash}`;
    const auth =
      p.username !== '' || p.password !== ''
        ? `${p.username}${p.password !== '' ? `:${p.password}` : ''}@`
        : '';
    const hasAuthority = Object.hasOwn(SPECIAL_PORTS, p.protocol) || p.hostname !== '';
    return `${p.protocol}${hasAuthority ? `//${auth}${this.host}` : ''}${p.pathname}${p.search}${p.hash}`;
  }
  set href(value: string) {
    const parts = parseAbsolute(String(value));
    if (parts === undefined) throw new TypeError(`Invalid URL: ${value}`);
    this.#p = parts;
    this.#rebind();
  }
  get origin(): string {
    return Object.hasOwn(SPECIAL_PORTS, this.#p.protocol) && this.#p.protocol !== 'file:'
      ? `${this.#p.protocol}//${this.host}`
      : 'null';
  }
  get protocol(): string {
    return this.#p.protocol;
  }
  set protocol(value: string) {
    const v = String(value).replace(/:.*$/, '').toLowerCase();
    if (/^[a-z][a-z0-9+.-]*$/.test(v)) this.#p.protocol = `${v}:`;
  }
  get username(): string {
    return this.#p.username;
  }
  set username(value: string) {
    this.#p.username = encodeUserinfo(String(value));
  }
  get password(): string {
    return this.#p.password;
  }
  set password(value: string) {
    this.#p.password = encodeUserinfo(String(value));
  }
  get host(): string {
    return this.#p.port === '' ? this.#p.hostname : `${this.#p.hostname}:${this.#p.port}`;
  }
  set host(value: string) {
    const copy = { ...this.#p };
    parseAuthority(copy, String(value));
    this.#p.hostname = copy.hostname;
    this.#p.port = copy.port;
  }
  get hostname(): string {
    return this.#p.hostname;
  }
  set hostname(value: string) {
    const copy = { ...this.#p };
    parseAuthority(copy, String(value).replace(/:.*$/, ''));
    this.#p.hostname = copy.hostname;
  }
  get port(): string {
    return this.#p.port;
  }
  set port(value: string) {
    const v = String(value);
    if (v === '') this.#p.port = '';
    else if (/^\d+$/.test(v) && Number(v) <= 65535)
      this.#p.port = String(Number(v)) === SPECIAL_PORTS[this.#p.protocol] ? '' : String(Number(v));
  }
  get pathname(): string {
    return this.#p.pathname;
  }
  set pathname(value: string) {
    if (this.#p.opaque) return;
    const v = String(value);
    this.#p.pathname = normalizePath(encodePath(v.startsWith('/') ? v : `/${v}`));
  }
  get search(): string {
    return this.#p.search;
  }
  set search(value: string) {
    const v = String(value);
    this.#p.search = v === '' || v === '?' ? '' : encodeQuery(v.startsWith('?') ? v : `?${v}`);
    this.#rebind();
  }
  get searchParams(): URLSearchParams {
    return this.#params;
  }
  get hash(): string {
    return this.#p.hash;
  }
  set hash(value: string) {
    const v = String(value);
    this.#p.hash = v === '' || v === '#' ? '' : encodeHash(v.startsWith('#') ? v : `#${v}`);
  }
  toString(): string {
    return this.href;
  }
  toJSON(): string {
    return this.href;
  }
}
