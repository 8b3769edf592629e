import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, run, testSandbox } from './harness.ts';

let sandbox: SupervisedSandbox;
beforeAll(async () => {
  sandbox = testSandbox();
  await sandbox.ready();
});
afterAll(() => sandbox.close());

async function evaluate(name: string, body: string): Promise<unknown> {
  const fn = await deploy(name, `exports.main = async (event) => { ${body} }`);
  const out = await run(sandbox, fn);
  if (out.status !== 'fulfilled')
    throw new Error(`${name}: ${out.status} ${JSON.stringify(out.error)}`);
  return out.result;
}

describe('standard built-ins a function expects', () => {
  it('has JSON, Date, Math and Intl', async () => {
    const result = await evaluate(
      'std_core',
      `return { json: JSON.parse('{"a":1}').a, date: new Date(0).toISOString(), intl: new Intl.NumberFormat('en-US').format(1234.5), max: Math.max(1, 2) }`,
    );
    expect(result).toEqual({ json: 1, date: '1970-01-01T00:00:00.000Z', intl: '1,234.5', max: 2 });
  });

  it('round-trips UTF-8 with TextEncoder and TextDecoder', async () => {
    const result = await evaluate(
      'std_text',
      `const bytes = new TextEncoder().encode('卡券 ✓ 😀');
       return { bytes: Array.from(bytes).length, back: new TextDecoder().decode(bytes), bad: new TextDecoder().decode(new Uint8Array([0xff, 0x41])) }`,
    );
    expect(result).toEqual({
      bytes: Buffer.byteLength('卡券 ✓ 😀'),
      back: '卡券 ✓ 😀',
      bad: '\ufffdA',
    });
  });

  it('parses and edits URLs and query strings', async () => {
    const result = await evaluate(
      'std_url',
      `const u = new URL('../b/c?x=1&y=a+b#h', 'https://Example.com:443/a/d/e');
       u.searchParams.append('z', '中');
       return { href: u.href, host: u.host, path: u.pathname, y: u.searchParams.get('y'), origin: u.origin, qs: new URLSearchParams({ a: '1', b: 'x y' }).toString() }`,
    );
    expect(result).toEqual({
      href: 'https://example.com/a/b/c?x=1&y=a+b&z=%E4%B8%AD#h',
      host: 'example.com',
      path: '/a/b/c',
      y: 'a b',
      origin: 'https://example.com',
      qs: 'a=1&b=x+y',
    });
  });

  it('has atob and btoa', async () => {
    expect(await evaluate('std_b64', `return [btoa('hello'), atob('aGVsbG8=')]`)).toEqual([
      'aGVsbG8=',
      'hello',
    ]);
  });

  it('has crypto.randomUUID and crypto.getRandomValues from the host CSPRNG', async () => {
    const result = (await evaluate(
      'std_crypto',
      `const a = crypto.getRandomValues(new Uint32Array(8));
       return { uuid: crypto.randomUUID(), distinct: new Set(a).size, quota: (() => { try { crypto.getRandomValues(new Uint8Array(70000)); return 'no' } catch (e) { return e.name } })() }`,
    )) as { uuid: string; distinct: number; quota: string };
    expect(result.uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(result.distinct).toBeGreaterThan(6);
    expect(result.quota).toBe('QuotaExceededError');
  });

  it('has queueMicrotask', async () => {
    expect(
      await evaluate(
        'std_microtask',
        `return await new Promise((r) => queueMicrotask(() => r('ran')))`,
      ),
    ).toBe('ran');
  });
});

describe('what a function must not have', () => {
  // fetch exists (through the engine's outgoing-HTTP guard: test/integration/wechat-api/http-out.test.ts).
  it('has no require, SharedArrayBuffer, Atomics, WebAssembly or isolated-vm leftovers', async () => {
    const result = await evaluate(
      'absent_globals',
      `return ['require', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'module', 'exports', '__cfnDefine', '__cloudfnInstall', '_ivm', 'global', 'Buffer', 'setImmediate'].filter((k) => typeof globalThis[k] !== 'undefined')`,
    );
    expect(result).toEqual([]);
  });

  it('refuses require at run time with a clear error', async () => {
    const fn = await deploy(
      'dynamic_require',
      'exports.main = async () => { const r = require; return r("f" + "s") }',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_REQUIRE' },
    });
    expect(out.error?.message).toContain('require("fs") is not available');
  });

  it('lists only expected names on the global object', async () => {
    const names = (await evaluate(
      'global_names',
      'return Object.getOwnPropertyNames(globalThis)',
    )) as string[];
    const unexpected = names.filter(
      (n) =>
        !/^[A-Z]/.test(n) &&
        ![
          'globalThis',
          'parseFloat',
          'parseInt',
          'undefined',
          'decodeURI',
          'decodeURIComponent',
          'encodeURI',
          'encodeURIComponent',
          'escape',
          'unescape',
          'eval',
          'isFinite',
          'isNaN',
          'console',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'queueMicrotask',
          'atob',
          'btoa',
          'crypto',
          'process',
          'fetch',
        ].includes(n),
    );
    expect(unexpected).toEqual([]);
    expect(names).toContain('BaaS');
  });
});
