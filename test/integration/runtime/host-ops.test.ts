import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteTableStore } from '../../../engine/tables/sqlite/table-store.ts';
import { createSandbox, type SupervisedSandbox } from '../../../runtime/index.ts';
import { deploy, HEALTHY, run, testSandbox } from './harness.ts';

describe('the synchronous host bridge (counting HostOps module)', () => {
  let sandbox: SupervisedSandbox;
  const events: { kind: string; payload: unknown }[] = [];
  beforeAll(async () => {
    sandbox = testSandbox({ onHostEvent: (kind, payload) => events.push({ kind, payload }) });
    await sandbox.ready();
  });
  afterAll(() => sandbox.close());

  it('answers a host call synchronously with the module’s value, built from its options', async () => {
    const fn = await deploy(
      'count_calls',
      'exports.main = async () => { const t = new BaaS.TableObject("calls"); const a = await t.count(); const b = await t.count(); return b - a }',
    );
    const out = await run(sandbox, fn);
    expect(out).toMatchObject({ status: 'fulfilled', result: 1 });
  });

  it('carries a refusal into the guest as an HError: MinCloud code, our reason, status', async () => {
    const fn = await deploy(
      'refused',
      'exports.main = async () => { try { await new BaaS.TableObject("t").create().set({ a: 1 }).save() } catch (e) { return { name: e.name, code: e.code, reason: e.reason, status: e.status, message: e.message } } }',
    );
    expect((await run(sandbox, fn)).result).toEqual({
      name: 'HError',
      code: 400,
      reason: 'E_TEST_REFUSED',
      status: 409,
      message: 'table.create refused on purpose',
    });
  });

  it('hides the details of an unexpected host failure from the guest', async () => {
    const fn = await deploy(
      'host_crash',
      'exports.main = async () => { try { await new BaaS.TableObject("crash").count() } catch (e) { return { code: e.code, reason: e.reason, message: e.message } } }',
    );
    const result = (await run(sandbox, fn)).result as {
      code: number;
      reason: string;
      message: string;
    };
    expect(result.code).toBe(500);
    expect(result.reason).toBe('E_HOST_OP_FAILED');
    expect(result.message).not.toContain('secret');
  });

  it('forwards the module’s events, with the calling function and job, to onHostEvent', async () => {
    events.length = 0;
    const fn = await deploy(
      'evented',
      'exports.main = async () => new BaaS.TableObject("calls").count()',
    );
    await run(sandbox, fn, null, { jobId: 'job-evented' });
    await expect.poll(() => events.length).toBeGreaterThan(0);
    expect(events[0]).toEqual({
      kind: 'op.seen',
      payload: { op: 'table.count', table: 'calls', functionName: 'evented', jobId: 'job-evented' },
    });
  });

  it('ends a loop that starts after awaiting a host call, and the executor keeps serving', async () => {
    const fn = await deploy(
      'loop_after_host_call',
      'exports.main = async () => { await new BaaS.TableObject("calls").count(); while (true) {} }',
      { timeoutMs: 300 },
    );
    const healthy = await deploy('healthy_host', HEALTHY);
    const [out, ok] = await Promise.all([run(sandbox, fn), run(sandbox, healthy, 'still here')]);
    expect(out).toMatchObject({
      status: 'deadline_exceeded',
      error: { code: 'E_FUNCTION_TIMEOUT' },
    });
    expect(ok).toMatchObject({ status: 'fulfilled', result: { echo: 'still here' } });
    expect((await run(sandbox, healthy, 'after')).status).toBe('fulfilled');
  });
});

describe('tables from a function (the real tables HostOps and a SQLite file)', () => {
  let dir: string;
  let sandbox: SupervisedSandbox;
  const changes: unknown[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudfn-runtime-'));
    const dbPath = join(dir, 'tables.db');
    const store = new SqliteTableStore({ path: dbPath });
    store.createTable({
      name: 'user_consume_card',
      fields: [
        { name: 'UserCardCode', type: 'string' },
        { name: 'CreateTime', type: 'integer' },
        { name: '_AppId', type: 'string' },
      ],
    });
    store.close();
    const module = fileURLToPath(
      new URL('../../../engine/tables/sqlite/sandbox-host-ops.ts', import.meta.url),
    );
    sandbox = createSandbox({
      hostOps: { module, options: { dbPath } },
      onHostEvent: (kind, payload) => kind === 'table.change' && changes.push(payload),
    });
    await sandbox.ready();
  });
  afterAll(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the tutorial function: the push is saved and read back', async () => {
    const { bundleFunction } = await import('../../../runtime/index.ts');
    const { code } = await bundleFunction({
      entry: fileURLToPath(new URL('../../../functions/user_consume_card.js', import.meta.url)),
    });
    const fn = {
      name: 'user_consume_card',
      version: 1,
      code,
      timeoutMs: 5000,
      memoryMb: 128,
      env: {},
    };
    const data = { UserCardCode: '12312312', CreateTime: 1442926343, _AppId: 'wx123' };
    const out = await sandbox.invoke({
      fn,
      event: {
        data,
        eventType: 'trigger',
        trigger: { name: 'card', type: 'wechat_message' },
        jobId: 'tutorial',
      },
    });
    expect(out.status).toBe('fulfilled');
    expect(out.result).toMatchObject(data);
    expect(out.log[0]?.message).toMatch(/^saved card 12312312 as [0-9a-f]{24}$/);
    const reader = await deploy(
      'reader',
      'exports.main = async () => (await new BaaS.TableObject("user_consume_card").find()).data.objects.map((r) => r.UserCardCode)',
    );
    expect((await run(sandbox, reader)).result).toEqual(['12312312']);
    await expect.poll(() => changes.length).toBeGreaterThan(0);
  });

  it('runs a burst handed over in one turn (one message each way): each run its own answer, its row reported before it', async () => {
    const fn = await deploy(
      'burst_insert',
      'exports.main = async (event) => { const r = await new BaaS.TableObject("user_consume_card").create().set({ UserCardCode: event.data.code, CreateTime: 1, _AppId: "wx" }).save(); console.log("saved " + event.data.code); return r.data.UserCardCode }',
    );
    const codes = Array.from({ length: 24 }, (_, i) => `burst-${i}`);
    const seenBefore = new Map<string, boolean>();
    const reported = (code: string) => changes.some((c) => JSON.stringify(c).includes(`"${code}"`));
    const outs = await Promise.all(
      codes.map((code) =>
        run(sandbox, fn, { code }).then((out) => {
          seenBefore.set(code, reported(code));
          return out;
        }),
      ),
    );
    expect(outs.map((o) => o.result)).toEqual(codes);
    expect(outs.map((o) => o.log.map((l) => l.message))).toEqual(codes.map((c) => [`saved ${c}`]));
    expect([...seenBefore.values()].every(Boolean)).toBe(true);
  });

  it('rejects a wrongly typed field with the field named, inside the function', async () => {
    const fn = await deploy(
      'bad_type',
      'exports.main = async () => { try { await new BaaS.TableObject("user_consume_card").create().set({ CreateTime: "soon" }).save() } catch (e) { return e.message } }',
    );
    expect((await run(sandbox, fn)).result).toContain('CreateTime');
  });
});
