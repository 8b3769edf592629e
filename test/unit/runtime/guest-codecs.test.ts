// The guest's Web built-ins are plain TypeScript: checked here against Node's own.
import { describe, expect, it } from 'vitest';
import { atob, btoa } from '../../../runtime/guest/base64.ts';
import { formatArgs } from '../../../runtime/guest/format.ts';
import { TextDecoder, TextEncoder } from '../../../runtime/guest/text-codec.ts';
import { URL, URLSearchParams } from '../../../runtime/guest/url.ts';

describe('TextEncoder / TextDecoder', () => {
  const samples = [
    '',
    'ascii',
    'é',
    '卡券消息',
    '😀 emoji',
    'mixed é 卡 😀 end',
    '\u0000\u007f\u0080\u07ff\u0800\uffff',
  ];

  it('encode like Node', () => {
    for (const s of samples)
      expect(Array.from(new TextEncoder().encode(s))).toEqual(
        Array.from(new globalThis.TextEncoder().encode(s)),
      );
  });

  it('replace lone surrogates like Node', () => {
    expect(Array.from(new TextEncoder().encode('a\ud800b'))).toEqual(
      Array.from(new globalThis.TextEncoder().encode('a\ud800b')),
    );
  });

  it('decode like Node, including invalid sequences', () => {
    const inputs = [
      ...samples.map((s) => new globalThis.TextEncoder().encode(s)),
      new Uint8Array([0xff, 0x41]),
      new Uint8Array([0xe4, 0xb8]),
      new Uint8Array([0xc0, 0x80]),
      new Uint8Array([0xed, 0xa0, 0x80]),
      new Uint8Array([0xf4, 0x90, 0x80, 0x80]),
    ];
    for (const bytes of inputs)
      expect(new TextDecoder().decode(bytes)).toBe(new globalThis.TextDecoder().decode(bytes));
  });

  it('throws in fatal mode and strips a BOM', () => {
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff]))).toThrow(
      TypeError,
    );
    expect(new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))).toBe('A');
    expect(() => new TextDecoder('latin1')).toThrow(RangeError);
  });
});

describe('atob / btoa', () => {
  it('match Node for Latin-1 strings', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'hello world', '\u00ff\u0000\u0080']) {
      expect(btoa(s)).toBe(globalThis.btoa(s));
      expect(atob(globalThis.btoa(s))).toBe(s);
    }
    expect(atob(' aGVs\nbG8= ')).toBe('hello');
  });

  it('refuse what the Web refuses', () => {
    expect(() => btoa('卡')).toThrow(/Latin1/);
    expect(() => atob('a')).toThrow(/correctly encoded/);
    expect(() => atob('a$==')).toThrow(/correctly encoded/);
  });
});

describe('URL', () => {
  const cases: [string, string?][] = [
    ['https://user:pa ss@Example.COM:8080/a/./b/../c?q=1 2#frag'],
    ['http://example.com:80/'],
    ['https://example.com'],
    ['mailto:someone@example.com'],
    ['../x?y#z', 'https://h.com/a/b/c'],
    ['/root', 'https://h.com/a/b'],
    ['?only', 'https://h.com/a/b?old#h'],
    ['#frag', 'https://h.com/a/b?old'],
    ['//other.org/p', 'https://h.com/'],
    ['https:\\\\h.com\\a\\b'],
  ];

  it('parses and resolves like Node for common shapes', () => {
    for (const [input, base] of cases) {
      const mine = new URL(input, base);
      const node = new globalThis.URL(input, base);
      expect({
        href: mine.href,
        host: mine.host,
        pathname: mine.pathname,
        search: mine.search,
        hash: mine.hash,
        origin: mine.origin,
        username: mine.username,
      }).toEqual({
        href: node.href,
        host: node.host,
        pathname: node.pathname,
        search: node.search,
        hash: node.hash,
        origin: node.origin,
        username: node.username,
      });
    }
  });

  it('rejects what cannot be a URL', () => {
    expect(() => new URL('no scheme')).toThrow(TypeError);
    expect(() => new URL('http://')).toThrow(TypeError);
    expect(() => new URL('http://h:99999/')).toThrow(TypeError);
    expect(URL.canParse('x', 'https://h.com')).toBe(true);
  });

  it('keeps searchParams and search in step', () => {
    const u = new URL('https://h.com/p?a=1&b=2');
    u.searchParams.set('a', 'x y');
    u.searchParams.delete('b');
    expect(u.href).toBe('https://h.com/p?a=x+y');
    u.search = '?c=3';
    expect(u.searchParams.get('c')).toBe('3');
  });
});

describe('URLSearchParams', () => {
  it('serialises like Node', () => {
    const init = { a: '1', 'b c': 'd&e', emoji: '😀', tilde: "~!'()*" };
    expect(new URLSearchParams(init).toString()).toBe(
      new globalThis.URLSearchParams(init).toString(),
    );
  });

  it('parses, iterates and sorts', () => {
    const p = new URLSearchParams('?b=2&a=1&a=3&c');
    expect(p.getAll('a')).toEqual(['1', '3']);
    expect(p.get('c')).toBe('');
    expect(p.has('a', '3')).toBe(true);
    p.sort();
    expect([...p]).toEqual([
      ['a', '1'],
      ['a', '3'],
      ['b', '2'],
      ['c', ''],
    ]);
    expect(p.size).toBe(4);
  });
});

describe('formatArgs', () => {
  it('prints values the way a console user expects', () => {
    expect(formatArgs(['a', 1, true, null, undefined, 2n, [1, 'x'], { k: { n: 1 } }])).toBe(
      'a 1 true null undefined 2n [ 1, "x" ] { k: { n: 1 } }',
    );
    expect(formatArgs([new Date(0)])).toBe('1970-01-01T00:00:00.000Z');
    expect(formatArgs([function named() {}])).toBe('[Function: named]');
  });

  it('survives cycles, depth and hostile objects', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatArgs([cyclic])).toBe('{ self: [Circular] }');
    expect(formatArgs([{ a: { b: { c: { d: { e: 1 } } } } }])).toBe(
      '{ a: { b: { c: { d: [Object] } } } }',
    );
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no');
        },
      },
    );
    expect(formatArgs([hostile])).toBe('[uninspectable]');
    expect(formatArgs([Array.from({ length: 150 }, () => 0)])).toContain('... 50 more items');
  });
});
