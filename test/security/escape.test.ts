/**
 * Sandbox escape suite (issue 3): known techniques against isolates, each run as a real
 * deployed function. Every attempt reports what it reached; "host" means Node's `process`
 * (versions, binding, mainModule), `require`, `module`, `Buffer` or `global`, host file
 * paths in stacks, or another function's state. None may reach any of them, and the
 * executor must survive every attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../runtime/index.ts';
import type { NestedInvoke } from '../../runtime/sandbox.ts';
import { deploy, HEALTHY, run, testSandbox } from '../integration/runtime/harness.ts';

/** Guest helpers prepended to every attempt: `await probe(F)` runs code through a Function constructor. */
const PREAMBLE = `
const SAFE = 'object|none|undefined|undefined|undefined|undefined';
const PROBE = 'return [typeof process, (typeof process === "object" && process !== null && (process.versions || process.binding || process.mainModule || process.exit)) ? "HOST" : "none", typeof require, typeof module, typeof Buffer, typeof global].join("|")';
const leaks = [];
async function probe(F, label) {
  if (typeof F !== 'function') return;
  let r;
  try {
    r = F(PROBE)();
    if (r && typeof r.then === 'function') r = await r;
    else if (r && typeof r.next === 'function') {
      r = r.next();
      if (r && typeof r.then === 'function') r = await r;
      r = r.value;
    }
  } catch (e) { return; }
  if (r !== SAFE) leaks.push(label + ': ' + r);
}
function hostPath(text, label) {
  if (/\\/work\\/|node:internal|node_modules|isolated-vm|child-main|executor|engine\\//.test(String(text))) leaks.push(label + ' reveals ' + String(text).slice(0, 200));
}
`;

interface Attempt {
  name: string;
  body: string;
}

const ATTEMPTS: Attempt[] = [
  {
    name: 'constructor chain from this',
    body: `await probe(this.constructor && this.constructor.constructor, 'this')`,
  },
  {
    name: 'constructor chain from a literal object',
    body: `await probe(({}).constructor.constructor, 'object')`,
  },
  {
    name: 'constructor chain from the event',
    body: `await probe(event.constructor.constructor, 'event'); await probe(event.data.constructor.constructor, 'event.data')`,
  },
  {
    name: 'constructor chain from BaaS and its functions',
    body: `await probe(BaaS.constructor.constructor, 'BaaS'); await probe(BaaS.invoke.constructor, 'BaaS.invoke'); await probe(BaaS.TableObject.constructor, 'TableObject'); await probe(BaaS.Query.constructor, 'Query')`,
  },
  {
    name: 'constructor chain from console, timers and crypto',
    body: `await probe(console.log.constructor, 'console.log'); await probe(setTimeout.constructor, 'setTimeout'); await probe(clearTimeout.constructor, 'clearTimeout'); await probe(crypto.getRandomValues.constructor, 'crypto'); await probe(queueMicrotask.constructor, 'queueMicrotask')`,
  },
  {
    name: 'constructor chain from process.env',
    body: `await probe(process.env.constructor.constructor, 'env'); await probe(process.constructor.constructor, 'process')`,
  },
  {
    name: 'constructor chain from a host call result',
    body: `const n = await new BaaS.TableObject('calls').count(); await probe(n.constructor.constructor, 'count result'); const res = await new BaaS.TableObject('calls').find().catch((e) => e); await probe(res.constructor.constructor, 'find result')`,
  },
  {
    name: 'constructor chain from a host refusal error',
    body: `const e = await new BaaS.TableObject('t').create().set({ a: 1 }).save().catch((x) => x); await probe(e.constructor.constructor, 'refusal'); await probe(Object.getPrototypeOf(e).constructor.constructor, 'refusal proto'); hostPath(e.stack, 'refusal stack')`,
  },
  {
    name: 'constructor chain from a BaaS.invoke answer',
    body: `const a = await BaaS.invoke('echo', { x: 1 }); await probe(a.constructor.constructor, 'invoke answer'); await probe(a.data.constructor.constructor, 'invoke data')`,
  },
  {
    name: 'async, generator and async generator function constructors',
    body: `await probe(Object.getPrototypeOf(async function () {}).constructor, 'AsyncFunction'); await probe(Object.getPrototypeOf(function* () {}).constructor, 'GeneratorFunction'); await probe(Object.getPrototypeOf(async function* () {}).constructor, 'AsyncGeneratorFunction')`,
  },
  {
    name: 'TextEncoder, URL and other prelude classes',
    body: `await probe(TextEncoder.constructor, 'TextEncoder'); await probe(new URL('https://a.b').constructor.constructor, 'URL'); await probe(new URLSearchParams('a=1').forEach.constructor, 'URLSearchParams')`,
  },
  {
    name: 'Error.prepareStackTrace call sites inside the prelude',
    body: `const seen = [];
      Error.prepareStackTrace = (err, sites) => { for (const s of sites) { seen.push(s); } return 'x' };
      await new Promise((r) => setTimeout(() => { new Error('t').stack; r() }, 1));
      console.log('x');
      new Error('main').stack;
      Error.prepareStackTrace = undefined;
      for (const s of seen) {
        let f; try { f = s.getFunction() } catch (e) {}
        if (f) await probe(f.constructor, 'callsite fn');
        let t; try { t = s.getThis() } catch (e) {}
        if (t && t.constructor) await probe(t.constructor.constructor, 'callsite this');
        hostPath(s.getFileName(), 'callsite file');
      }`,
  },
  {
    name: 'Error.captureStackTrace and thrown stacks name no host files',
    body: `const o = {}; Error.captureStackTrace(o); hostPath(o.stack, 'captured'); try { null.x } catch (e) { hostPath(e.stack, 'thrown') }`,
  },
  {
    name: 'caller chain out of a callback the prelude invokes',
    body: `function sloppy() { return sloppy.caller } await new Promise((r) => setTimeout(async () => { const c = sloppy(); if (c) await probe(c.constructor, 'caller'); r() }, 1)); const c2 = sloppy(); if (c2) await probe(c2.constructor, 'caller2')`,
  },
  {
    name: 'arguments.callee.caller from main',
    body: `const c = (function () { return arguments.callee.caller })(); if (c) await probe(c.constructor, 'callee.caller')`,
  },
  {
    name: 'eval and indirect eval',
    body: `const r = eval('typeof process.binding + typeof process.versions'); if (r !== 'undefinedundefined') leaks.push('eval: ' + r); try { eval('require')('fs'); leaks.push('eval require') } catch (e) { if (e.code !== 'E_FUNCTION_REQUIRE') leaks.push('eval require: ' + e.message) } const g = (0, eval)('this'); if (g.require || g.global) leaks.push('indirect eval global')`,
  },
  {
    name: 'dynamic import of Node modules',
    body: `for (const m of ['fs', 'node:child_process', '/etc/passwd']) { try { await new Function('m', 'return import(m)')(m); leaks.push('import ' + m) } catch (e) {} }`,
  },
  {
    name: 'globals of isolated-vm or the prelude left behind',
    body: `const names = [...Object.getOwnPropertyNames(globalThis), ...Object.getOwnPropertySymbols(globalThis).map(String)]; for (const n of names) if (/ivm|isolated|cloudfn|cfn|__/i.test(n)) leaks.push('global ' + n)`,
  },
  {
    name: 'SharedArrayBuffer and Atomics',
    body: `if (typeof SharedArrayBuffer !== 'undefined' || typeof Atomics !== 'undefined') leaks.push('shared memory available'); try { const m = new globalThis.WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }); leaks.push('shared wasm memory ' + m.buffer.constructor.name) } catch (e) {}`,
  },
  {
    name: 'WebAssembly',
    body: `if (typeof WebAssembly !== 'undefined') leaks.push('WebAssembly available'); try { const W = Function('return WebAssembly')(); if (W) leaks.push('WebAssembly via Function') } catch (e) {}`,
  },
  {
    name: 'high-resolution timers for timing attacks',
    body: `if (typeof performance !== 'undefined' || typeof process.hrtime !== 'undefined') leaks.push('high-resolution clock'); let distinct = new Set(); const end = Date.now() + 5; while (Date.now() < end) distinct.add(Date.now()); if ([...distinct].some((t) => t % 1 !== 0)) leaks.push('sub-millisecond Date')`,
  },
  {
    name: 'prototype pollution of bridge arguments',
    body: `Object.prototype.table = 'crash'; Object.prototype.toJSON = undefined; Array.prototype.push = function () { throw new Error('no push') }; const n = await new BaaS.TableObject('calls').count(); if (typeof n !== 'number') leaks.push('pollution changed a host call'); delete Object.prototype.table; delete Array.prototype.push`,
  },
  {
    name: 'toJSON and replaced JSON functions around a host call',
    body: `const real = JSON.stringify; JSON.stringify = () => '{"table":"crash"}'; JSON.parse = () => ({ ok: 'forged' }); const n = await new BaaS.TableObject('calls').count(); JSON.stringify = real; if (typeof n !== 'number') leaks.push('forged bridge: ' + n)`,
  },
  {
    name: 'a Proxy as host call arguments',
    body: `const p = new Proxy({}, { get(t, k) { return k === 'toJSON' ? () => ({ table: 'calls' }) : undefined } }); const n = await new BaaS.TableObject(p).count().catch((e) => e.code); if (typeof n !== 'number' && typeof n !== 'string') leaks.push('proxy reached host')`,
  },
  {
    name: '__proto__ keys in data crossing both ways',
    body: `const a = await BaaS.invoke('echo', JSON.parse('{"__proto__": {"polluted": true}}')); if (({}).polluted) leaks.push('guest prototype polluted'); return JSON.parse('{"__proto__": {"hostPolluted": true}}')`,
  },
  {
    name: 'replacing Promise machinery the prelude relies on',
    body: `Promise.prototype.then = function () { throw new Error('hijacked') }; Promise.resolve = () => { throw new Error('hijacked') }; return 'still finished'`,
  },
  {
    name: 'redefining console and timers for later runs',
    body: `console.log = () => { throw new Error('x') }; globalThis.setTimeout = null; return 'ok'`,
  },
  {
    name: 'writing the frozen process.env',
    body: `try { process.env.PATH = '/evil' } catch (e) {} try { Object.defineProperty(process, 'env', { value: { A: 1 } }) } catch (e) {} if (process.env.PATH) leaks.push('env written')`,
  },
  {
    name: 'reading the engine environment',
    body: `const keys = Object.keys(process.env); if (keys.length !== 0) leaks.push('env has ' + keys.join(','))`,
  },
  {
    name: 'stack overflow inside bridge calls',
    body: `let depth = 0; function deep() { depth++; try { deep() } catch (e) { console.log('at', depth) } } deep(); const n = await new BaaS.TableObject('calls').count(); if (typeof n !== 'number') leaks.push('bridge broken')`,
  },
  {
    name: 'flooding timers',
    body: `for (let i = 0; i < 20000; i++) setTimeout(() => {}, 1000 + i); return 'flooded'`,
  },
  {
    name: 'Function.prototype.toString of host-facing functions',
    body: `for (const f of [console.log, setTimeout, BaaS.invoke, crypto.getRandomValues]) hostPath(Function.prototype.toString.call(f), 'source')`,
  },
  {
    name: 'Symbol.species and Array subclass tricks on results',
    body: `class Evil extends Array { static get [Symbol.species]() { throw new Error('species') } } const e = Evil.from([1, 2]); return e`,
  },
  {
    name: 'getter on the event leading back to the bridge',
    body: `Object.defineProperty(Object.prototype, 'data', { get() { leaks.push('host read a guest getter'); return 1 }, configurable: true }); await BaaS.invoke('echo', { y: 1 }); delete Object.prototype.data`,
  },
  {
    name: 'other functions’ globals',
    body: `if ('victimSecret' in globalThis || typeof victimSecret !== 'undefined') leaks.push('victim global visible'); if (BaaS.victimMark) leaks.push('victim changed BaaS'); if (Array.prototype.victimPolluted) leaks.push('victim polluted Array.prototype')`,
  },
];

let sandbox: SupervisedSandbox;
const echo: NestedInvoke = async (name, data) => ({ code: 0, data: { name, data }, error: {} });

beforeAll(async () => {
  sandbox = testSandbox({ nestedInvoke: echo });
  await sandbox.ready();
  // A victim function that plants state everywhere it can before the attackers run.
  const victim = await deploy(
    'victim',
    `globalThis.victimSecret = 'V-123'; BaaS.victimMark = 1; Array.prototype.victimPolluted = true; exports.main = async () => victimSecret`,
  );
  expect((await run(sandbox, victim)).result).toBe('V-123');
});
afterAll(() => sandbox.close());

describe('escape attempts', () => {
  it('has at least 30 techniques', () => {
    expect(ATTEMPTS.length).toBeGreaterThanOrEqual(30);
  });

  it('has a probe that does notice a host when one is there', async () => {
    const fn = await deploy(
      'probe_self_test',
      `${PREAMBLE}\nexports.main = async () => { globalThis.Buffer = {}; globalThis.global = globalThis; await probe(Function, 'planted'); hostPath('/work/main/engine/x.ts', 'planted'); return leaks }`,
    );
    const out = await run(sandbox, fn);
    expect(out.result).toEqual([
      'planted: object|none|undefined|undefined|object|object',
      'planted reveals /work/main/engine/x.ts',
    ]);
  });

  for (const [i, attempt] of ATTEMPTS.entries()) {
    it(`${attempt.name}: reaches neither the host nor another function`, async () => {
      const pid = sandbox.executors()[0]?.pid;
      const fn = await deploy(
        `escape_${i}`,
        `${PREAMBLE}\nexports.main = async function (event) {\n  const result = await (async () => { ${attempt.body} })();\n  return { leaks, result };\n};\n`,
        { timeoutMs: 5000 },
      );
      const out = await run(sandbox, fn, { x: 1 });
      if (out.status === 'fulfilled') expect((out.result as { leaks: string[] }).leaks).toEqual([]);
      else expect(out.status).toBe('execution_failed');
      expect(out.error?.stack ?? '').not.toMatch(/\/work\/|node:internal|child-main/);
      // The executor survived, and the host process is untouched.
      expect(sandbox.executors()[0]?.pid).toBe(pid);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).hostPolluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'table')).toBe(false);
    });
  }

  it('leaves every other function working afterwards', async () => {
    const healthy = await deploy('after_escapes', HEALTHY);
    expect(await run(sandbox, healthy, 'fine')).toMatchObject({
      status: 'fulfilled',
      result: { echo: 'fine' },
    });
    expect(sandbox.executors()[0]?.restarts).toBe(0);
  });
});
