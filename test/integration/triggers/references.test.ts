import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../engine/config.ts';
import { startEngine, type Engine } from '../../../engine/main.ts';

// Referential checks on a real engine: a trigger may only name functions, tables and
// accounts that exist ("did you mean"), what triggers use cannot be deleted without force,
// and a firing whose target vanished anyway dead-letters at once, as a warning.
const APP_ID = 'wxrefs000000000001';
const NOOP = 'exports.main = async (event) => event.data;';

let engine: Engine;
let dataDir: string;
const lines: Array<Record<string, unknown>> = [];

async function api(method: string, route: string, body?: unknown) {
  const response = await fetch(`${engine.url}/api/v1${route}`, {
    method,
    headers: { authorization: `Bearer ${engine.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const hookTrigger = (name: string, actions: unknown[]) => ({
  name,
  type: 'webhook',
  actions,
  retry: { attempts: 3, backoff: '10ms' },
});

async function fire(key: string, body: unknown = { n: 1 }): Promise<void> {
  const answer = await fetch(`${engine.url}/hooks/${key}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(202);
  await engine.settled();
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-refs-'));
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = resolveConfig(
    {},
    { port: 0, host: '127.0.0.1', dataDir, adminToken: 'test-admin-token', logLevel: 'info' },
  );
  engine = await startEngine(config, { log: pino({ level: 'info' }, sink) });
  expect((await api('PUT', `/wechat/accounts/${APP_ID}`, { token: 'refstoken' })).status).toBe(200);
  expect((await api('PUT', '/functions/hello', { code: NOOP })).status).toBe(201);
  expect(
    (await api('POST', '/tables', { name: 'orders', fields: [{ name: 'n', type: 'integer' }] }))
      .status,
  ).toBe(201);
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('saving a trigger', () => {
  it('refuses a missing function with "did you mean" the closest name', async () => {
    const answer = await api(
      'POST',
      '/triggers',
      hookTrigger('typo', [{ type: 'function', function: 'helo' }]),
    );
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'E_TRIGGER_REFERENCE_MISSING',
      kind: 'function',
      name: 'helo',
      suggestion: 'hello',
      path: 'actions[0].function',
    });
    expect(answer.body.error.message).toContain('did you mean "hello"?');
    expect((await api('GET', '/triggers/typo')).status).toBe(404);
  });

  it('lists every missing table and account, and suggests nothing far off', async () => {
    const answer = await api('POST', '/triggers', {
      name: 'many',
      type: 'wechat_message',
      condition: { appId: 'wxrefs000000000002', rules: [] },
      actions: [
        { type: 'table', table: 'order', record: { n: 1 } },
        { type: 'table', table: 'zzzzzzzz', record: { n: 1 } },
      ],
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.issues).toEqual([
      expect.objectContaining({
        path: 'condition.appId',
        kind: 'account',
        name: 'wxrefs000000000002',
        suggestion: APP_ID,
      }),
      expect.objectContaining({ path: 'actions[0].table', kind: 'table', suggestion: 'orders' }),
      expect.objectContaining({ path: 'actions[1].table', kind: 'table', suggestion: null }),
    ]);
  });

  it("refuses a table trigger's missing condition table, on PUT too, and in a dry run", async () => {
    const watch = {
      name: 'watch',
      type: 'table',
      condition: { table: 'orderz', on: ['create'] },
      actions: [{ type: 'function', function: 'hello' }],
    };
    const refused = await api('POST', '/triggers', watch);
    expect(refused.body.error).toMatchObject({
      code: 'E_TRIGGER_REFERENCE_MISSING',
      path: 'condition.table',
      suggestion: 'orders',
    });
    // Table names are case-insensitive, as the tables themselves are.
    const fixed = { ...watch, condition: { table: 'ORDERS', on: ['create'] } };
    const dry = await api('POST', '/triggers?dryRun=true', fixed);
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, trigger: { name: 'watch' } });
    expect((await api('GET', '/triggers/watch')).status).toBe(404);
    expect((await api('POST', '/triggers', fixed)).status).toBe(201);

    const put = await api('PUT', '/triggers/watch', {
      ...fixed,
      actions: [{ type: 'function', function: 'nope' }],
    });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('E_TRIGGER_REFERENCE_MISSING');
    const dryPut = await api('PUT', '/triggers/watch?dryRun=true', {
      ...fixed,
      actions: [{ type: 'function', function: 'nope' }],
    });
    expect(dryPut.body.error).toMatchObject({ code: 'E_TRIGGER_REFERENCE_MISSING', name: 'nope' });
    expect((await api('DELETE', '/triggers/watch')).status).toBe(204);
  });
});

describe('deleting what a trigger uses', () => {
  it('answers 409 E_IN_USE listing the triggers, unless ?force=true', async () => {
    expect((await api('PUT', '/functions/used', { code: NOOP })).status).toBe(201);
    expect(
      (await api('POST', '/tables', { name: 'kept', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const created = await api('POST', '/triggers', {
      name: 'user_of_all',
      type: 'wechat_message',
      condition: { appId: APP_ID, rules: [] },
      actions: [
        { type: 'function', function: 'used' },
        { type: 'table', table: 'kept', record: { n: 1 } },
      ],
    });
    expect(created.status).toBe(201);
    for (const [route, kind, name] of [
      ['/functions/used', 'function', 'used'],
      ['/tables/kept', 'table', 'kept'],
      [`/wechat/accounts/${APP_ID}`, 'account', APP_ID],
    ] as const) {
      const refused = await api('DELETE', route);
      expect(refused.status, route).toBe(409);
      expect(refused.body.error).toEqual({
        code: 'E_IN_USE',
        message: expect.stringContaining('"user_of_all"'),
        kind,
        name,
        triggers: ['user_of_all'],
      });
    }
    const table = await api('GET', '/tables/kept');
    expect((await api('DELETE', `/tables/${table.body.id}`)).status).toBe(409);
    expect((await api('DELETE', '/functions/used?force=maybe')).body.error.code).toBe(
      'E_INVALID_QUERY',
    );
    expect((await api('DELETE', '/functions/used?force=true')).status).toBe(204);
    expect((await api('GET', '/functions/used')).status).toBe(404);
    expect((await api('DELETE', '/triggers/user_of_all')).status).toBe(204);
    // Nothing uses them now: plain deletes work.
    expect((await api('DELETE', '/tables/kept')).status).toBe(204);
  });
});

describe('enabling a trigger', () => {
  it('re-checks its references as a save does: 400 naming what vanished while it was off', async () => {
    expect((await api('PUT', '/functions/paused_fn', { code: NOOP })).status).toBe(201);
    expect(
      (await api('POST', '/tables', { name: 'paused_t', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const created = await api('POST', '/triggers', {
      name: 'paused',
      type: 'wechat_message',
      condition: { appId: APP_ID, rules: [] },
      actions: [
        { type: 'function', function: 'paused_fn' },
        { type: 'table', table: 'paused_t', record: { n: 1 } },
      ],
    });
    expect(created.status).toBe(201);
    expect((await api('PATCH', '/triggers/paused', { enabled: false })).status).toBe(200);
    expect((await api('DELETE', '/functions/paused_fn?force=true')).status).toBe(204);
    expect((await api('DELETE', '/tables/paused_t?force=true')).status).toBe(204);

    // Disabling again needs nothing; enabling names every missing reference.
    expect((await api('PATCH', '/triggers/paused', { enabled: false })).status).toBe(200);
    const refused = await api('PATCH', '/triggers/paused', { enabled: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('E_TRIGGER_REFERENCE_MISSING');
    expect(refused.body.error.issues).toEqual([
      expect.objectContaining({ path: 'actions[0].function', kind: 'function', name: 'paused_fn' }),
      expect.objectContaining({ path: 'actions[1].table', kind: 'table', name: 'paused_t' }),
    ]);
    expect((await api('GET', '/triggers/paused')).body.enabled).toBe(false);

    // Once they exist again, it enables.
    expect((await api('PUT', '/functions/paused_fn', { code: NOOP })).status).toBe(201);
    expect(
      (await api('POST', '/tables', { name: 'paused_t', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const enabled = await api('PATCH', '/triggers/paused', { enabled: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body.enabled).toBe(true);
    expect((await api('DELETE', '/triggers/paused')).status).toBe(204);
  });
});

describe('a firing whose target vanished', () => {
  it('dead-letters at once with E_FUNCTION_NOT_FOUND / E_TABLE_NOT_FOUND, as a warning', async () => {
    expect((await api('PUT', '/functions/doomed', { code: NOOP })).status).toBe(201);
    expect(
      (await api('POST', '/tables', { name: 'doomed_t', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const trigger = await api(
      'POST',
      '/triggers',
      hookTrigger('orphan', [
        { type: 'function', function: 'doomed' },
        { type: 'table', table: 'doomed_t', record: { n: '{{n}}' } },
      ]),
    );
    expect(trigger.status).toBe(201);
    expect((await api('DELETE', '/functions/doomed?force=true')).status).toBe(204);
    expect((await api('DELETE', '/tables/doomed_t?force=true')).status).toBe(204);

    // The dry run tells the trigger would fire into nothing.
    const test = await api('POST', '/triggers/orphan/test', { data: { n: 1 } });
    expect(test.body.missing_references).toEqual([
      { kind: 'function', name: 'doomed', path: 'actions[0].function', suggestion: null },
      { kind: 'table', name: 'doomed_t', path: 'actions[1].table', suggestion: null },
    ]);

    lines.length = 0;
    await fire(trigger.body.key);
    const logs = (await api('GET', '/triggers/orphan/logs')).body.objects;
    expect(
      logs.map((l: any) => [l.action.index, l.status, l.attempts, l.error_type]).sort(),
    ).toEqual([
      [0, 'dead_letter', 1, 'E_FUNCTION_NOT_FOUND'],
      [1, 'dead_letter', 1, 'E_TABLE_NOT_FOUND'],
    ]);
    const dead = lines.filter((l) => l.msg === 'firing dead-lettered');
    expect(dead.map((l) => [l.level, l.code]).sort()).toEqual([
      [40, 'E_FUNCTION_NOT_FOUND'],
      [40, 'E_TABLE_NOT_FOUND'],
    ]);
    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('stack');

    // Deployed again, every dead letter of the trigger replays in one call.
    expect((await api('PUT', '/functions/doomed', { code: NOOP })).status).toBe(201);
    expect(
      (await api('POST', '/tables', { name: 'doomed_t', fields: [{ name: 'n', type: 'integer' }] }))
        .status,
    ).toBe(201);
    const replay = await api('POST', '/triggers/orphan/logs/replay', { status: 'dead_letter' });
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual({ trigger: 'orphan', status: 'dead_letter', replayed: 2 });
    await engine.settled();
    const after = (await api('GET', '/triggers/orphan/logs')).body.objects;
    expect(after.map((l: any) => l.status)).toEqual(['succeeded', 'succeeded']);
    const again = await api('POST', '/triggers/orphan/logs/replay', { status: 'dead_letter' });
    expect(again.body.replayed).toBe(0);
    expect((await api('POST', '/triggers/orphan/logs/replay', { status: 'x' })).status).toBe(400);
    expect(
      (await api('POST', '/triggers/nope/logs/replay', { status: 'dead_letter' })).status,
    ).toBe(404);
  });
});
