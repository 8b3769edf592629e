import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

// Attack class: a value nested thousands of levels deep crossing a process or JSON boundary.
// V8's structured-clone deserialiser (the executors' IPC) and JSON.stringify recurse per
// level: unchecked, one such value killed the engine's main process, and stored through a
// hook it killed it again after every restart. Each entry point now refuses it with a clear
// error, and the engine keeps answering.
const DEEP = 2000;

/** `{"a":{"a":…1…}}`, `levels` deep, as JSON text (built without recursion). */
function deepJson(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

/** A function source whose value `deep(n)` is built inside the isolate. */
const DEEP_HELPER = `function deep(n) { let v = 1; for (let i = 0; i < n; i++) v = { a: v }; return v; }`;

async function rawPost(url: string, body: string, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function healthy(t: TestEngine): Promise<boolean> {
  const response = await fetch(`${t.engine.url}/healthz`);
  return response.status === 200;
}

describe('deep nesting never crosses a process or JSON boundary', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-deep-'));
  let t: TestEngine;
  let hookKey: string;

  beforeAll(async () => {
    t = await startTestEngine({ dataDir });
    const deploy = async (name: string, code: string) =>
      expect((await t.api('PUT', `/functions/${name}`, { code })).status).toBe(201);
    await deploy('deep_result', `${DEEP_HELPER}\nexports.main = async () => deep(${DEEP});`);
    await deploy('fine_result', `${DEEP_HELPER}\nexports.main = async () => deep(100);`);
    await deploy('echo', 'exports.main = async (event) => event.data;');
    await deploy(
      'deep_record',
      `${DEEP_HELPER}
       exports.main = async (event) => {
         const t = new BaaS.TableObject('notes');
         try {
           const r = t.create();
           r.set({ body: deep(event.data.levels) });
           await r.save();
           return 'saved';
         } catch (e) { return e.reason; }
       };`,
    );
    await deploy(
      'deep_many',
      `${DEEP_HELPER}
       exports.main = async () => {
         try {
           await new BaaS.TableObject('notes').createMany([{ body: { ok: 1 } }, { body: deep(70) }]);
           return 'saved';
         } catch (e) { return e.reason; }
       };`,
    );
    await deploy(
      'deep_append',
      `${DEEP_HELPER}
       exports.main = async () => {
         const t = new BaaS.TableObject('notes');
         const saved = await t.create().set({ list: [] }).save();
         try {
           const r = t.getWithoutData(saved.data.id);
           r.append('list', deep(70));
           await r.update();
           return 'saved';
         } catch (e) { return e.reason; }
       };`,
    );
    await deploy(
      'deep_invoke',
      `${DEEP_HELPER}
       exports.main = async () => {
         const res = await BaaS.invoke('echo', deep(${DEEP}));
         return res.error && res.error.code;
       };`,
    );
    expect(
      (
        await t.api('POST', '/tables', {
          name: 'notes',
          fields: [
            { name: 'body', type: 'object' },
            { name: 'list', type: 'array' },
          ],
        })
      ).status,
    ).toBe(201);
    const trigger = await t.api('POST', '/triggers', {
      name: 'inbound',
      type: 'webhook',
      actions: [{ type: 'function', function: 'echo' }],
    });
    expect(trigger.status).toBe(201);
    hookKey = trigger.body.key;
  });

  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it(`fails only that run when a function returns a value ${DEEP} levels deep; the engine answers after`, async () => {
    const run = await t.api('POST', '/functions/deep_result/invoke', {});
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({
      code: 1,
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_RESULT_TOO_DEEP' },
    });
    expect(run.body.error.message).toMatch(/nested more than 128 levels/);
    expect(await healthy(t)).toBe(true);
    // The executor and the engine both still run functions, and 100 levels are fine.
    const fine = await t.api('POST', '/functions/fine_result/invoke', {});
    expect(fine.body).toMatchObject({ code: 0, status: 'fulfilled' });
    const job = await t.api('GET', `/jobs/${run.body.job_id}`);
    expect(job.body).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_FUNCTION_RESULT_TOO_DEEP' },
    });
  });

  it('refuses a deep hook body with 400 before it is stored', async () => {
    const before = (await t.engine.store.delivery.pending(1000)).length;
    const refused = await rawPost(`${t.engine.url}/hooks/${hookKey}`, deepJson(DEEP));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'E_JSON_TOO_DEEP', limit: 64 });
    await t.engine.settled();
    expect((await t.engine.store.delivery.pending(1000)).length).toBe(before);
    const logs = await t.api('GET', '/triggers/inbound/logs');
    expect(logs.body.objects).toEqual([]);
    // A body within the limit is taken and runs.
    const accepted = await rawPost(`${t.engine.url}/hooks/${hookKey}`, deepJson(60));
    expect(accepted.status).toBe(202);
    await t.engine.settled();
    const after = await t.api('GET', '/triggers/inbound/logs');
    expect(after.body.objects.map((l: { status: string }) => l.status)).toEqual(['succeeded']);
    expect(await healthy(t)).toBe(true);
  });

  it('refuses deep records through the REST API and through BaaS (create, createMany, append)', async () => {
    const rest = await rawPost(
      `${t.engine.url}/api/v1/tables/notes/records`,
      `{"body":${deepJson(DEEP)}}`,
      t.engine.adminToken,
    );
    expect(rest.status).toBe(400);
    expect(rest.body.error.code).toBe('E_JSON_TOO_DEEP');
    // A deep dotted path builds the same nesting from a flat body.
    const created = await t.api('POST', '/tables/notes/records', { body: { ok: 1 } });
    expect(created.status).toBe(201);
    const path = await t.api('PUT', `/tables/notes/records/${created.body.id}`, {
      [`body.${'a.'.repeat(100_000)}x`]: 1,
    });
    expect(path.status).toBe(400);
    expect(path.body.error.code).toBe('E_TABLE_VALUE_TOO_DEEP');
    expect((await t.api('DELETE', `/tables/notes/records/${created.body.id}`)).status).toBe(204);

    const invoke = async (name: string, data: unknown = {}) =>
      (await t.api('POST', `/functions/${name}/invoke`, { data })).body;
    // Past what any host operation takes: refused before it is parsed.
    expect((await invoke('deep_record', { levels: DEEP })).data).toBe('E_JSON_TOO_DEEP');
    // Within what a host operation takes, but deeper than a stored value may be.
    expect((await invoke('deep_record', { levels: 70 })).data).toBe('E_TABLE_VALUE_TOO_DEEP');
    expect((await invoke('deep_many')).data).toBe('E_TABLE_VALUE_TOO_DEEP');
    expect((await invoke('deep_append')).data).toBe('E_TABLE_VALUE_TOO_DEEP');
    expect((await invoke('deep_record', { levels: 60 })).data).toBe('saved');
    const stored = await t.api('GET', '/tables/notes/records?limit=100');
    // The record of deep_append's first save, the 60-deep one; nothing of createMany.
    expect(stored.body.meta.total_count).toBe(2);
    expect(await healthy(t)).toBe(true);
  });

  it('refuses deep invoke data over HTTP and through BaaS.invoke', async () => {
    const http = await rawPost(
      `${t.engine.url}/api/v1/functions/echo/invoke`,
      `{"data":${deepJson(DEEP)}}`,
      t.engine.adminToken,
    );
    expect(http.status).toBe(400);
    expect(http.body.error.code).toBe('E_JSON_TOO_DEEP');
    const nested = await t.api('POST', '/functions/deep_invoke/invoke', {});
    expect(nested.body).toMatchObject({ code: 0, data: 'E_JSON_TOO_DEEP' });
    expect(await healthy(t)).toBe(true);
  });

  it('refuses deep trigger rule values', async () => {
    const created = await rawPost(
      `${t.engine.url}/api/v1/triggers`,
      JSON.stringify({
        name: 'deep_rule',
        type: 'webhook',
        condition: { match: 'all', rules: [{ field: 'x', op: '=', value: '__DEEP__' }] },
        actions: [{ type: 'function', function: 'echo' }],
      }).replace('"__DEEP__"', deepJson(DEEP)),
      t.engine.adminToken,
    );
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe('E_JSON_TOO_DEEP');
  });

  it('is healthy after a restart, even with a deep event an older version stored', async () => {
    await t.close();
    // What the hook used to store before this guard: the event reached the function (which
    // echoes it back) at every start, and killed the engine each time.
    const db = new Database(path.join(dataDir, 'engine.db'));
    db.prepare(
      `INSERT INTO inbox (id, source, key, dedup_key, data, received_at) VALUES ('old-deep-entry', 'webhook', 'inbound', NULL, ?, 2)`,
    ).run(deepJson(DEEP));
    db.close();
    t = await startTestEngine({ dataDir });
    await t.engine.settled();
    expect(await healthy(t)).toBe(true);
    const aside = await t.api('GET', '/inbox?status=dispatch_failed');
    expect(aside.body.objects).toMatchObject([
      { id: 'old-deep-entry', error: expect.stringMatching(/nested more than 128 levels/) },
    ]);
    expect((await t.api('POST', '/functions/fine_result/invoke', {})).body.code).toBe(0);
  });
});
