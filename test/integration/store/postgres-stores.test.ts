import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPostgresEngineStore,
  type PostgresEngineStore,
} from '../../../engine/store/postgres/index.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import type { InboxEntry, NewFiring } from '../../../engine/store/ports.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const key = crypto.randomBytes(32);
const secrets = createSecretBox(key);

const entry = (n: number): InboxEntry => ({
  id: `e${n}-${crypto.randomUUID()}`,
  source: 'wechat_message',
  key: 'wxapp',
  dedupKey: null,
  data: { MsgId: `m${n}`, FromUserName: `u${n}`, Event: 'subscribe' },
  receivedAt: n,
});
const firing = (trigger: string): NewFiring => ({
  logId: crypto.randomUUID(),
  trigger,
  actionIndex: 0,
  action: { type: 'function', function: 'f' } as NewFiring['action'],
  eventType: 'trigger',
  lane: 'function:f',
});
const ok = { attempts: 1, jobId: null, durationMs: 1 };

// What the EngineStore contract suite does not reach: what PostgreSQL holds at rest, and
// the rules that differ when several processes share the rows.
describe.skipIf(!pgUp)('the PostgreSQL stores', () => {
  let schema: TestSchema;
  let a: PostgresEngineStore;
  let b: PostgresEngineStore;
  let sql: pg.Client;
  beforeAll(async () => {
    schema = await createTestSchema('stores');
    [a, b] = await Promise.all([
      openPostgresEngineStore(schema.url, { secrets, poolSize: 4 }),
      openPostgresEngineStore(schema.url, { secrets, poolSize: 4 }),
    ]);
    sql = new pg.Client({ connectionString: schema.url });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('keeps account secrets and access tokens sealed at rest, and opens them on another process', async () => {
    await a.accounts.put(
      {
        appId: 'wx1',
        token: 'push-token',
        encodingAESKey: 'k'.repeat(43),
        previousEncodingAESKey: null,
        mode: 'safe',
        appSecret: 'app-secret',
      },
      1000,
    );
    await a.accessTokens.put('wx1', { accessToken: 'ACCESS', expiresAt: 9000, fetchedAt: 1000 });
    const { rows } = await sql.query('SELECT token, app_secret FROM accounts');
    expect(JSON.stringify(rows)).not.toMatch(/push-token|app-secret/);
    const tokens = await sql.query('SELECT token FROM wechat_tokens');
    expect(JSON.stringify(tokens.rows)).not.toContain('ACCESS');
    expect(await b.accounts.get('wx1')).toMatchObject({
      token: 'push-token',
      appSecret: 'app-secret',
    });
    expect(await b.accessTokens.get('wx1')).toEqual({
      accessToken: 'ACCESS',
      expiresAt: 9000,
      fetchedAt: 1000,
    });
    await Promise.all([
      a.accessTokens.countFetch('wx1', '2026-12-03', true),
      b.accessTokens.countFetch('wx1', '2026-12-03', false),
      b.accessTokens.countFetch('wx1', '2026-12-03', true),
    ]);
    expect(await a.accessTokens.fetchCounts('wx1', '2026-12-03')).toEqual({
      fetches: 3,
      failures: 1,
    });
  });

  it('refuses to open when the secrets were sealed with another key', async () => {
    await expect(
      openPostgresEngineStore(schema.url, { secrets: createSecretBox(crypto.randomBytes(32)) }),
    ).rejects.toMatchObject({ code: 'E_SECRETS_KEY_MISMATCH' });
  });

  it('numbers versions one after the other when two processes deploy one function at once', async () => {
    const version = { code: 'x', sha256: 'h', timeoutMs: 1000, memoryMb: 64, env: { A: '1' } };
    const results = await Promise.all([
      a.functions.deploy('fn', version, 1),
      b.functions.deploy('fn', version, 2),
      a.functions.deploy('fn', version, 3),
    ]);
    expect(results.map((r) => r.version.version).sort()).toEqual([1, 2, 3]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect((await b.functions.getActive('fn'))?.env).toEqual({ A: '1' });
    await expect(b.functions.activate('fn', 9, 4)).rejects.toMatchObject({
      code: 'E_FUNCTION_VERSION_NOT_FOUND',
    });
    expect(await a.functions.delete('fn')).toBe(true);
    expect(await a.functions.listVersions('fn')).toEqual([]);
  });

  it('stores webhook keys as their hash and finds the trigger by the key', async () => {
    const definition = { type: 'webhook', name: 'hook', actions: [] } as never;
    const created = await a.triggers.create(
      {
        name: 'hook',
        type: 'webhook',
        enabled: true,
        definition,
        webhookKeyHash: null,
        webhookKeyHint: null,
        webhookKey: 'secret-key-1234',
      },
      1,
    );
    expect(created).toMatchObject({ webhookKey: 'secret-key-1234', webhookKeyHint: '1234' });
    const { rows } = await sql.query('SELECT * FROM triggers');
    expect(JSON.stringify(rows)).not.toContain('secret-key-1234');
    expect((await b.triggers.getByWebhookKey('secret-key-1234'))?.name).toBe('hook');
    expect(await b.triggers.getByWebhookKey('secret-key-1235')).toBeUndefined();
  });

  it('keeps one copy of each event: jobs and logs read it from their inbox entry', async () => {
    const e = entry(1);
    await a.delivery.accept([e]);
    const [id] = await a.delivery.dispatch(e.id, [firing('t1')], 10);
    await a.jobs.create({
      id: 'job1',
      function: 'f',
      version: 1,
      source: 'trigger',
      status: 'executing',
      createdAt: 10,
      data: e.data,
      inboxId: e.id,
      triggerName: 't1',
      triggerLogId: id!,
    });
    const { rows } = await sql.query('SELECT data FROM jobs WHERE id = $1', ['job1']);
    expect(rows[0].data).toBeNull();
    expect((await b.jobs.get('job1'))?.data).toEqual(e.data);
    expect((await b.delivery.getLog(id!))?.event).toEqual(e.data);
    const found = await b.delivery.listLogs({ msgId: 'm1', limit: 10, offset: 0 });
    expect(found.objects.map((l) => l.id)).toEqual([id]);
    expect(
      (await b.delivery.listLogs({ fromUserName: 'nobody', limit: 10, offset: 0 })).total,
    ).toBe(0);
    await a.jobs.finish('job1', {
      status: 'fulfilled',
      finishedAt: 11,
      durationMs: 1,
      cpuMs: 1,
      memoryBytes: 1,
      result: { ok: true },
      error: null,
      log: [],
    });
    const listed = await b.jobs.list({ function: 'f', status: 'fulfilled', limit: 5, offset: 0 });
    expect(listed.objects).toMatchObject([{ id: 'job1', result: { ok: true }, data: e.data }]);
  });

  it('ends at a start only the jobs of processes that are gone, not those another process runs', async () => {
    const gone = await openPostgresEngineStore(schema.url, { secrets, poolSize: 2 });
    const job = (id: string) => ({
      id,
      function: 'f',
      version: 1,
      source: 'invoke',
      status: 'executing' as const,
      createdAt: 20,
      data: { id },
      inboxId: null,
      triggerName: null,
      triggerLogId: null,
    });
    await a.jobs.create(job('job-of-live-a'));
    await gone.jobs.create(job('job-of-gone'));
    await gone.close(); // its session ends: its liveness lock goes with it
    expect(await b.jobs.failInterrupted(500)).toBe(1);
    expect((await b.jobs.get('job-of-live-a'))?.status).toBe('executing');
    expect(await b.jobs.get('job-of-gone')).toMatchObject({
      status: 'execution_failed',
      error: { code: 'E_ENGINE_RESTARTED' },
    });
    // A process's own leftovers (none at a real start) end too.
    expect(await a.jobs.failInterrupted(600)).toBe(1);
  });

  it('prunes in batches: keeps entries still referenced and the latest log of each action', async () => {
    const old = [entry(4), entry(5), entry(6)];
    await a.delivery.accept(old);
    const ids: string[] = [];
    for (const e of old) ids.push(...(await a.delivery.dispatch(e.id, [firing('pruned')], 30)));
    const claimed = await a.delivery.claim('A', 30, 10, undefined, 1000);
    for (const d of claimed) await a.delivery.complete('A', d.id, ok, 31);
    const pruned = await b.delivery.pruneLogs(1_000_000);
    const left = await b.delivery.listLogs({ trigger: 'pruned', limit: 10, offset: 0 });
    expect(left.total).toBe(1);
    expect(pruned).toBeGreaterThanOrEqual(2);
    // Entries whose logs went are dropped; the one the kept log shows stays.
    await b.delivery.pruneEntries(1_000_000);
    const kept = left.objects[0]!;
    expect(await b.delivery.getEntry(kept.inboxId!)).toBeDefined();
    expect((await b.delivery.getLog(kept.id))?.event).toMatchObject({ MsgId: expect.any(String) });
    // Its dedup key was forgotten: a repeat is new again (the dedup window is the retention).
    const keyed = { ...entry(7), dedupKey: 'once-seen' };
    await a.delivery.accept([keyed]);
    const [keyedLog] = await a.delivery.dispatch(keyed.id, [firing('keyed')], 40);
    await b.delivery.pruneEntries(1_000_000);
    expect((await b.delivery.getLog(keyedLog!))?.event).toEqual(keyed.data);
    expect(await a.delivery.accept([{ ...entry(8), dedupKey: 'once-seen' }])).toEqual([true]);
  });
});
