/**
 * Sandbox escape suite (issue 3): known techniques against isolates, each run as a real
 * deployed function. Every attempt reports what it reached; "host" means Node's `process`
 * (versions, binding, mainModule), `require`, `module`, `Buffer` or `global`, host file
 * paths in stacks, or another function's state. None may reach any of them, and the
 * executor must survive every attempt.
 */
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SupervisedSandbox } from '../../runtime/index.ts';
import type { NestedInvoke } from '../../runtime/sandbox.ts';
import { deploy, HEALTHY, run, testSandbox } from '../integration/runtime/harness.ts';
import { repoRoot } from '../helpers/fixtures.ts';

/**
 * Folders of this machine a leaked stack or file name would show: the checkout, the temp dir
 * and the home dir, as they are where the test runs (not a folder written into the test).
 */
const HOST_FOLDERS = [repoRoot, os.tmpdir(), os.homedir()].filter((dir) => dir.length > 1);
/** Marks the report line every attempt writes, whatever its outcome. */
const REPORT = '@@escape-report ';

/** Guest helpers prepended to every attempt: `await probe(F)` runs code through a Function constructor. */
const PREAMBLE = `
const SAFE = 'object|none|undefined|undefined|undefined|undefined';
const PROBE = 'return [typeof process, (typeof process === "object" && process !== null && (process.versions || process.binding || process.mainModule || process.exit)) ? "HOST" : "none", typeof require, typeof module, typeof Buffer, typeof global].join("|")';
const HOST_FOLDERS = ${JSON.stringify(HOST_FOLDERS)};
const report = console.log;
const leaks = [];
const probed = [];
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
  probed.push(label);
  if (r !== SAFE) leaks.push(label + ': ' + r);
}
function hostPath(text, label) {
  const t = String(text);
  if (HOST_FOLDERS.some((dir) => t.includes(dir)) || /node:internal|node_modules|isolated-vm|child-main|executor|engine\\//.test(t)) leaks.push(label + ' reveals ' + t.slice(0, 200));
}
`;

/**
 * An attempt as a function: it reports its leaks in a finally, whatever its outcome. A thrown
 * HError is reported by its `reason` (our E_ code; its `code` is MinCloud's integer).
 */
function attemptSource(body: string): string {
  return `${PREAMBLE}\nexports.main = async function (event) {\n  let result, threw = null;\n  try {\n    result = await (async () => { ${body} })();\n  } catch (e) {\n    threw = String((e && (e.reason || e.code || e.message)) || e);\n  } finally {\n    report(${JSON.stringify(REPORT)} + JSON.stringify({ leaks, probed, threw }));\n  }\n  return result;\n};\n`;
}

interface Attempt {
  name: string;
  body: string;
  /**
   * Probe labels that must have run: the attempt did get that constructor and the probe
   * asked it for the host (else a refusal on the way would count as "held").
   */
  probes?: string[];
  /** The error the attempt ends with when the runtime stops it (the code or message). */
  throws?: RegExp;
}

const ATTEMPTS: Attempt[] = [
  {
    name: 'constructor chain from this',
    probes: ['this'],
    body: `await probe(this.constructor && this.constructor.constructor, 'this')`,
  },
  {
    name: 'constructor chain from a literal object',
    probes: ['object'],
    body: `await probe(({}).constructor.constructor, 'object')`,
  },
  {
    name: 'constructor chain from the event',
    probes: ['event', 'event.data'],
    body: `await probe(event.constructor.constructor, 'event'); await probe(event.data.constructor.constructor, 'event.data')`,
  },
  {
    name: 'constructor chain from BaaS and its functions',
    probes: ['BaaS', 'BaaS.invoke', 'TableObject', 'Query'],
    body: `await probe(BaaS.constructor.constructor, 'BaaS'); await probe(BaaS.invoke.constructor, 'BaaS.invoke'); await probe(BaaS.TableObject.constructor, 'TableObject'); await probe(BaaS.Query.constructor, 'Query')`,
  },
  {
    name: 'constructor chain from console, timers and crypto',
    probes: ['console.log', 'setTimeout', 'clearTimeout', 'crypto', 'queueMicrotask'],
    body: `await probe(console.log.constructor, 'console.log'); await probe(setTimeout.constructor, 'setTimeout'); await probe(clearTimeout.constructor, 'clearTimeout'); await probe(crypto.getRandomValues.constructor, 'crypto'); await probe(queueMicrotask.constructor, 'queueMicrotask')`,
  },
  {
    name: 'constructor chain from process.env',
    probes: ['env', 'process'],
    body: `await probe(process.env.constructor.constructor, 'env'); await probe(process.constructor.constructor, 'process')`,
  },
  {
    name: 'constructor chain from a host call result',
    probes: ['count result', 'find result'],
    body: `const n = await new BaaS.TableObject('calls').count(); await probe(n.constructor.constructor, 'count result'); const res = await new BaaS.TableObject('calls').find().catch((e) => e); await probe(res.constructor.constructor, 'find result')`,
  },
  {
    name: 'constructor chain from a host refusal error',
    probes: ['refusal', 'refusal proto'],
    body: `const e = await new BaaS.TableObject('t').create().set({ a: 1 }).save().catch((x) => x); await probe(e.constructor.constructor, 'refusal'); await probe(Object.getPrototypeOf(e).constructor.constructor, 'refusal proto'); hostPath(e.stack, 'refusal stack')`,
  },
  {
    name: 'constructor chain from a BaaS.invoke answer',
    probes: ['invoke answer', 'invoke data'],
    body: `const a = await BaaS.invoke('echo', { x: 1 }); await probe(a.constructor.constructor, 'invoke answer'); await probe(a.data.constructor.constructor, 'invoke data')`,
  },
  {
    name: 'async, generator and async generator function constructors',
    probes: ['AsyncFunction', 'GeneratorFunction', 'AsyncGeneratorFunction'],
    body: `await probe(Object.getPrototypeOf(async function () {}).constructor, 'AsyncFunction'); await probe(Object.getPrototypeOf(function* () {}).constructor, 'GeneratorFunction'); await probe(Object.getPrototypeOf(async function* () {}).constructor, 'AsyncGeneratorFunction')`,
  },
  {
    name: 'TextEncoder, URL and other prelude classes',
    probes: ['TextEncoder', 'URL', 'URLSearchParams'],
    body: `await probe(TextEncoder.constructor, 'TextEncoder'); await probe(new URL('https://a.b').constructor.constructor, 'URL'); await probe(new URLSearchParams('a=1').forEach.constructor, 'URLSearchParams')`,
  },
  {
    name: 'Error.prepareStackTrace call sites inside the prelude',
    probes: ['callsite fn', 'callsite this'],
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
    probes: ['caller', 'caller2'],
    body: `function sloppy() { return sloppy.caller } await new Promise((r) => setTimeout(async () => { const c = sloppy(); if (c) await probe(c.constructor, 'caller'); r() }, 1)); const c2 = sloppy(); if (c2) await probe(c2.constructor, 'caller2')`,
  },
  {
    name: 'arguments.callee.caller from main',
    probes: ['callee.caller'],
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
    // The proxy's traps may run only in the guest, while it is turned into JSON; what reaches
    // the host is that JSON (the echo answers what the host received).
    body: `const traps = []; const p = new Proxy({}, { get(t, k) { traps.push(String(k)); return k === 'toJSON' ? () => ({ table: 'calls' }) : undefined } });
      const a = await BaaS.invoke('echo', p);
      if (JSON.stringify(a.data) !== '{"name":"echo","data":{"table":"calls"}}') leaks.push('host received ' + JSON.stringify(a.data));
      if (!traps.includes('toJSON')) leaks.push('the proxy never met the bridge');
      await new BaaS.TableObject('calls').create().set('x', p).save()`,
    // The counting host ops refuse every write: the proxy's JSON got there and was refused.
    throws: /^E_TEST_REFUSED$/,
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
    body: `let set = 0; try { for (let i = 0; i < 20000; i++) { setTimeout(() => {}, 1000 + i); set++ } } finally { if (set !== 100) leaks.push('set ' + set + ' timers') }`,
    throws: /^E_TOO_MANY_TIMERS$/,
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

const REPORTS = new Map<string, unknown>();
afterAll(() => {
  if (process.env.ESCAPE_REPORT) console.log(JSON.stringify([...REPORTS], null, 1));
});

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
      `${PREAMBLE}\nexports.main = async () => { globalThis.Buffer = {}; globalThis.global = globalThis; await probe(Function, 'planted'); hostPath(${JSON.stringify(`${repoRoot}/x.ts`)}, 'planted'); return leaks }`,
    );
    const out = await run(sandbox, fn);
    expect(out.result).toEqual([
      'planted: object|none|undefined|undefined|object|object',
      `planted reveals ${repoRoot}/x.ts`,
    ]);
  });

  it('reports what an attempt reached even when the attempt then throws', async () => {
    const fn = await deploy(
      'report_self_test',
      attemptSource(
        `leaks.push('reached'); await probe(Function, 'plain Function'); console.log = null; throw new TypeError('after')`,
      ),
    );
    const out = await run(sandbox, fn);
    const line = out.log.find((l) => l.message.startsWith(REPORT));
    expect(JSON.parse((line?.message ?? '').slice(REPORT.length))).toEqual({
      leaks: ['reached'],
      probed: ['plain Function'],
      threw: 'after',
    });
  });

  for (const [i, attempt] of ATTEMPTS.entries()) {
    it(`${attempt.name}: reaches neither the host nor another function`, async () => {
      const pid = sandbox.executors()[0]?.pid;
      // The report is written in a finally, through the console captured before the attempt
      // ran: the leak check runs whatever the attempt's outcome.
      const fn = await deploy(`escape_${i}`, attemptSource(attempt.body), { timeoutMs: 5000 });
      const out = await run(sandbox, fn, { x: 1 });
      const line = out.log.find((l) => l.message.startsWith(REPORT));
      expect(line, `no report: ${out.status} ${out.error?.message ?? ''}`).toBeDefined();
      const reported = JSON.parse((line?.message ?? '').slice(REPORT.length)) as {
        leaks: string[];
        probed: string[];
        threw: string | null;
      };
      expect(reported.leaks).toEqual([]);
      for (const label of attempt.probes ?? []) expect(reported.probed).toContain(label);
      if (attempt.throws) expect(reported.threw).toMatch(attempt.throws);
      else expect(reported.threw).toBeNull();
      const stack = out.error?.stack ?? '';
      for (const dir of HOST_FOLDERS) expect(stack).not.toContain(dir);
      expect(stack).not.toMatch(/node:internal|child-main/);
      // The executor survived, and the host process is untouched.
      expect(sandbox.executors()[0]?.pid).toBe(pid);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).hostPolluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'table')).toBe(false);
      REPORTS.set(attempt.name, { status: out.status, ...reported });
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
