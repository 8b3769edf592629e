import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/fixtures.ts';
import { runCli } from './run-cli.ts';

// types/baas.d.ts as a function author meets it: `cloudfn init` wires it into tsconfig.json,
// and the TypeScript compiler, run on the starter folder, accepts right code and refuses
// wrong code with the errors an editor would show.
const exec = promisify(execFile);
const node = path.join(repoRoot, 'node_modules/.bin/node');
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');

async function typecheck(dir: string): Promise<{ code: number; output: string }> {
  try {
    await exec(node, [tsc, '-p', dir, '--pretty', 'false']);
    return { code: 0, output: '' };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, output: e.stdout };
  }
}

describe('types/baas.d.ts in a cloudfn init folder', () => {
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-types-'));
    const init = await runCli(['init', dir]);
    expect(init.code, init.stderr).toBe(0);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('type-checks the starter functions (JavaScript with @ts-check, and TypeScript)', async () => {
    const result = await typecheck(dir);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('accepts the whole API: pushes narrowed by MsgType and Event, tables, queries, invoke, replies', async () => {
    fs.writeFileSync(
      path.join(dir, 'functions', 'all.ts'),
      `interface Coupon { code: string; amount: number }
export async function main(event: CloudFn.Event<WeChat.Push>): Promise<CloudFn.ReplyResult | number> {
  const push = event.data;
  const at: number = push.CreateTime;
  if (push.MsgType === 'text') return { reply: { MsgType: 'text', Content: push.Content + at } };
  if (push.MsgType === 'event' && push.Event === 'user_consume_card') {
    const coupons = new BaaS.TableObject<Coupon>('coupons');
    const saved = await coupons.create().set('code', push.UserCardCode).set({ amount: 1 }).incrementBy('amount', 2).save();
    const id: string = saved.data.id;
    const query = BaaS.Query.or(new BaaS.Query().compare('amount', '>=', 1), new BaaS.Query().matches('code', /^0/i));
    const found = await coupons.setQuery(query).select(['code']).orderBy('-created_at').limit(10).find({ withCount: true });
    const first: Coupon | undefined = found.data.objects[0];
    const bulk = await coupons.getWithoutData(query).set('amount', 0).update();
    const n: number = bulk.data.succeed + (await coupons.count());
    const other = await BaaS.invoke<{ ok: boolean }>('audit', { id }, true);
    console.log(first?.code, n, other.code, other.data.ok, process.env.REGION ?? 'none');
    setTimeout(() => undefined, 10);
    return { reply: { MsgType: 'news', Articles: [{ Title: 'Thanks', Url: 'https://example.com' }] } };
  }
  return 0;
}
`,
    );
    const result = await typecheck(dir);
    expect(result.output).toBe('');
    fs.rmSync(path.join(dir, 'functions', 'all.ts'));
  });

  it('accepts every documented global in plain JavaScript under checkJs', async () => {
    fs.writeFileSync(
      path.join(dir, 'functions', 'globals.js'),
      `// @ts-check
/** @param {CloudFn.Event<{ url: string, text: string }>} event */
exports.main = async function (event) {
  const url = new URL(event.data.url, 'https://example.com/base/');
  url.searchParams.append('q', 'x');
  const params = new URLSearchParams({ a: '1' });
  for (const [key, value] of params) console.debug(key, value);
  const bytes = new TextEncoder().encode(event.data.text);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const id = crypto.randomUUID();
  const random = crypto.getRandomValues(new Uint8Array(8));
  const b64 = btoa(atob('aGk='));
  const timer = setInterval(() => console.trace('tick'), 10);
  clearInterval(timer);
  clearTimeout(setTimeout(() => undefined, 1));
  queueMicrotask(() => console.info(url.href, url.origin, URL.canParse('x:')));
  return { text, id, n: random.length, b64, size: params.size, env: process.env.REGION ?? '' };
};
`,
    );
    const result = await typecheck(dir);
    fs.rmSync(path.join(dir, 'functions', 'globals.js'));
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('types the limits and errors a function meets, in plain JavaScript under checkJs', async () => {
    fs.writeFileSync(
      path.join(dir, 'functions', 'limits.js'),
      `// @ts-check
/** @param {CloudFn.TableEvent<{ n: number }>} event */
exports.main = async function (event) {
  const change = event.change;
  const before = change.before ? change.before.n : 0;
  const after = change.after ? change.after.n : 0;
  const kind = change.event === 'delete' ? 'gone' : change.table;
  const id = event.data.id;
  const user = event.request ? event.request.user.openid : null;
  try {
    const run = await BaaS.invoke('audit', { id, before, after }, true, { userId: 1 });
    if (run.code === 1) return { failed: run.error.code, status: run.error.status };
  } catch (err) {
    const e = /** @type {CloudFn.HError} */ (err);
    if (e.reason === 'E_FUNCTION_INVOKE_LIMIT' || e.reason === 'E_FUNCTION_INVOKE_IN_FLIGHT')
      return { busy: e.status === 429, code: e.code + 1, name: e.name };
    throw e;
  }
  try {
    setTimeout(() => undefined, 1);
  } catch (err) {
    const e = /** @type {CloudFn.TooManyTimersError} */ (err);
    if (e.code === 'E_TOO_MANY_TIMERS') return { timers: e.message };
  }
  return { kind, user };
};
`,
    );
    const result = await typecheck(dir);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);

    // The same file with the shapes wrong: each is caught.
    fs.writeFileSync(
      path.join(dir, 'functions', 'limits.js'),
      `// @ts-check
/** @param {CloudFn.TableEvent<{ n: number }>} event */
exports.main = async function (event) {
  /** @type {string} */
  const n = event.change.after ? event.change.after.n : '';
  /** @type {'create' | 'update'} */
  const kind = event.change.event;
  await BaaS.invoke('audit', {}, true, { userId: 'u1' });
  /** @param {CloudFn.HError} e */
  const reasonOf = (e) => e.code.toUpperCase();
  /** @param {CloudFn.TooManyTimersError} e */
  const timers = (e) => e.code === 'E_TOO_MANY_TIMER';
  return { n, kind, reasonOf, timers, user: event.request.user.id };
};
`,
    );
    const wrong = await typecheck(dir);
    fs.rmSync(path.join(dir, 'functions', 'limits.js'));
    const errors = wrong.output.split('\n').filter((l) => l.includes('limits.js'));
    const at = (line: number) => errors.filter((l) => l.includes(`(${line},`)).join('\n');
    expect(at(5)).toMatch(/Type 'number.*' is not assignable to type 'string'/);
    expect(at(7)).toContain('"delete"');
    expect(at(8)).toContain("Type 'string' is not assignable to type 'number'");
    expect(at(10)).toContain("Property 'toUpperCase' does not exist on type 'number'");
    expect(at(12)).toContain('no overlap');
    expect(at(13)).toContain("'event.request' is possibly 'undefined'");
  });

  it('type-checks the typings on their own, as a project without Node sees them', async () => {
    const result = await typecheck(path.join(repoRoot, 'types'));
    expect(result.output).toBe('');
  });

  it('refuses what a function cannot do or a push does not have', async () => {
    fs.writeFileSync(
      path.join(dir, 'functions', 'wrong.ts'),
      `export async function main(event: CloudFn.Event<WeChat.UserConsumeCardEvent>) {
  event.data.CreateTime.toUpperCase();
  new BaaS.Query().compare('a', '~', 1);
  process.exit(1);
  require('fs');
  return { reply: { MsgType: 'text' } } satisfies CloudFn.ReplyResult;
}
export const notInTheSandbox = [Buffer, setImmediate, crypto.subtle, new TextDecoder().decode('text')];
`,
    );
    const result = await typecheck(dir);
    fs.rmSync(path.join(dir, 'functions', 'wrong.ts'));
    expect(result.code).not.toBe(0);
    const errors = result.output.split('\n').filter((l) => l.includes('wrong.ts'));
    expect(errors.find((l) => l.includes('(2,'))).toContain(
      "Property 'toUpperCase' does not exist on type 'number'",
    );
    expect(errors.find((l) => l.includes('(3,'))).toContain('"~"');
    expect(errors.find((l) => l.includes('(4,'))).toContain("Property 'exit' does not exist");
    expect(errors.find((l) => l.includes('(5,'))).toContain("Cannot find name 'require'");
    expect(errors.find((l) => l.includes('(6,'))).toContain("is not assignable to type 'Reply'");
    const line8 = errors.filter((l) => l.includes('(8,')).join('\n');
    expect(line8).toContain("Cannot find name 'setImmediate'");
    expect(line8).toContain("Cannot find name 'Buffer'");
    expect(line8).toContain("Property 'subtle' does not exist on type 'Crypto'");
    expect(line8).toContain("is not assignable to parameter of type 'ArrayBuffer");
  });
});
