import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openPostgresEngineStore,
  type PostgresEngineStore,
} from '../../../engine/store/postgres/index.ts';
import { MIGRATIONS, migratePostgres } from '../../../engine/store/postgres/migrations.ts';
import { openPools } from '../../../engine/store/postgres/pool.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';
import type { InboxEntry, NewFiring } from '../../../engine/store/ports.ts';
import { createTestSchema, postgresAvailable, type TestSchema } from '../../helpers/postgres.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';

const pgUp = await postgresAvailable();
const secrets = createSecretBox(crypto.randomBytes(32));

const entry = (n: number, over: Partial<InboxEntry> = {}): InboxEntry => ({
  id: `in-${n}-${crypto.randomUUID()}`,
  source: 'wechat_message',
  key: 'wxapp',
  dedupKey: `msg-${n}`,
  data: { MsgId: `m${n}`, FromUserName: 'u', Content: `hello ${n}` },
  receivedAt: 1000 + n,
  ...over,
});

const firing = (over: Partial<NewFiring> = {}): NewFiring => ({
  logId: crypto.randomUUID(),
  trigger: 'greet',
  actionIndex: 0,
  action: { type: 'function', function: 'hello' } as NewFiring['action'],
  eventType: 'trigger',
  lane: 'function:hello',
  ...over,
});

/** Two stores on one schema: two pools, as two engine processes would have. */
async function twoStores(schema: TestSchema): Promise<[PostgresEngineStore, PostgresEngineStore]> {
  const [a, b] = await Promise.all([
    openPostgresEngineStore(schema.url, { secrets, poolSize: 4 }),
    openPostgresEngineStore(schema.url, { secrets, poolSize: 4 }),
  ]);
  return [a, b];
}

describe.skipIf(!pgUp)('the engine store on PostgreSQL: across processes', () => {
  let schema: TestSchema;
  let a: PostgresEngineStore;
  let b: PostgresEngineStore;
  beforeAll(async () => {
    schema = await createTestSchema('store');
    [a, b] = await twoStores(schema);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  it('dedups one push accepted by two processes at once, and within one group', async () => {
    const e = entry(1);
    const [onA, onB] = await Promise.all([
      a.delivery.accept([e]),
      b.delivery.accept([{ ...e, id: `other-${e.id}` }]),
    ]);
    expect([...onA, ...onB].filter(Boolean)).toHaveLength(1);
    const twice = entry(2);
    expect(await a.delivery.accept([twice, { ...twice, id: 'again' }, entry(3)])).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('dispatches an entry once when two processes race for it', async () => {
    const e = entry(10, { dedupKey: null });
    await a.delivery.accept([e]);
    const [x, y] = await Promise.all([
      a.delivery.dispatch(e.id, [firing()], 5000),
      b.delivery.dispatch(e.id, [firing()], 5000),
    ]);
    expect(x.length + y.length).toBe(1);
    expect((await a.delivery.pending(100)).map((p) => p.id)).not.toContain(e.id);
  });

  it('hands each queued firing to one claimer only: two processes claim 200 with no duplicate', async () => {
    const ids: string[] = [];
    const entries = Array.from({ length: 200 }, (_, i) => entry(100 + i, { dedupKey: null }));
    await a.delivery.accept(entries);
    for (const [i, e] of entries.entries()) {
      const f = firing({ lane: `function:f${i % 5}`, trigger: `t${i % 5}` });
      ids.push(...(await (i % 2 ? a : b).delivery.dispatch(e.id, [f], 6000)));
    }
    const seen: string[] = [];
    const drain = async (store: PostgresEngineStore, owner: string) => {
      for (;;) {
        const got = await store.delivery.claim(owner, 7000, 7, undefined, 60_000);
        if (got.length === 0) return;
        seen.push(...got.map((d) => d.id));
        for (const d of got) expect(d.owner).toBe(owner);
        await Promise.all(
          got.map((d) =>
            store.delivery.complete(owner, d.id, { attempts: 1, jobId: null, durationMs: 1 }, 7001),
          ),
        );
      }
    };
    await Promise.all([drain(a, 'A'), drain(b, 'B'), drain(a, 'A2'), drain(b, 'B2')]);
    const mine = seen.filter((id) => ids.includes(id));
    expect(mine).toHaveLength(200);
    expect(new Set(mine).size).toBe(200);
    const log = await b.delivery.getLog(ids[0]!);
    expect(log).toMatchObject({ status: 'succeeded', inboxId: entries[0]!.id });
    expect(log?.event).toMatchObject({ MsgId: 'm100' });
  });

  it('keeps lanes to their caps across the claim', async () => {
    const entries = Array.from({ length: 12 }, (_, i) => entry(400 + i, { dedupKey: null }));
    await a.delivery.accept(entries);
    for (const [i, e] of entries.entries())
      await a.delivery.dispatch(
        e.id,
        [firing({ lane: i < 9 ? 'function:busy' : 'function:calm' })],
        8000,
      );
    const got = await b.delivery.claim(
      'B',
      8000,
      10,
      { perLane: 3, running: new Map([['function:busy', 1]]) },
      60_000,
    );
    const perLane = Map.groupBy(got, (d) => d.lane);
    expect(perLane.get('function:busy')).toHaveLength(2);
    expect(perLane.get('function:calm')).toHaveLength(3);
    for (const d of got)
      await b.delivery.complete('B', d.id, { attempts: 1, jobId: null, durationMs: 1 }, 8001);
    const rest = await a.delivery.claim('A', 8000, 100, undefined, 60_000);
    expect(rest).toHaveLength(7);
    for (const d of rest)
      await a.delivery.complete('A', d.id, { attempts: 1, jobId: null, durationMs: 1 }, 8001);
  });

  it('lets another process take over a claim whose lease expired; the old owner can no longer end it', async () => {
    const e = entry(500, { dedupKey: null });
    await a.delivery.accept([e]);
    const [id] = await a.delivery.dispatch(e.id, [firing()], 9000);
    const [first] = await a.delivery.claim('A', 9000, 1, undefined, 1000);
    expect(first).toMatchObject({ id, attempts: 1, owner: 'A', leaseUntil: 10_000 });
    expect(await b.delivery.claim('B', 9500, 10, undefined, 1000)).toEqual([]);
    expect(await a.delivery.renew('A', [id!], 9500, 1000)).toEqual([id]);
    expect(await b.delivery.claim('B', 10_000, 10, undefined, 1000)).toEqual([]);
    expect(await b.delivery.nextDueAt()).toBe(10_500);
    const [taken] = await b.delivery.claim('B', 10_500, 10, undefined, 1000);
    expect(taken).toMatchObject({ id, attempts: 2, owner: 'B' });
    const outcome = { attempts: 2, jobId: null, durationMs: 3 };
    expect(await a.delivery.complete('A', id!, outcome, 10_600)).toBe(false);
    expect(await a.delivery.renew('A', [id!], 10_600, 1000)).toEqual([]);
    expect(
      await b.delivery.retry(
        'B',
        id!,
        20_000,
        { ...outcome, errorType: 'E_X', error: 'x' },
        10_600,
      ),
    ).toBe(true);
    expect(await a.delivery.getLog(id!)).toMatchObject({
      status: 'failed',
      attempts: 2,
      errorType: 'E_X',
    });
    const [again] = await a.delivery.claim('A', 20_000, 1, undefined, 1000);
    expect(again).toMatchObject({ id, attempts: 3 });
    expect(await a.delivery.deadLetter('A', id!, { ...outcome, attempts: 3 }, 20_001)).toBe(true);
    expect(await b.delivery.replay(id!, 30_000)).toBe(true);
    expect(await b.delivery.replay(id!, 30_000)).toBe(false);
    const [replayed] = await b.delivery.claim('B', 30_000, 1, undefined, 1000);
    expect(replayed).toMatchObject({ id, attempts: 1 });
    await b.delivery.complete('B', id!, outcome, 30_001);
  });

  it('admits exactly one `once` firing when a burst is dispatched through two processes', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => entry(600 + i, { dedupKey: null }));
    await a.delivery.accept(entries);
    const results = await Promise.all(
      entries.map((e, i) =>
        (i % 2 ? a : b).delivery.dispatch(
          e.id,
          [firing({ trigger: 'once-only', guard: { kind: 'once', since: 0 } })],
          40_000 + i,
        ),
      ),
    );
    expect(results.flat()).toHaveLength(1);
    // atMostEvery: the firing 1 s after is refused, the one 5 s after is let through.
    const every = { kind: 'atMostEvery', ms: 5000, since: 0 } as const;
    const more = [
      entry(700, { dedupKey: null }),
      entry(701, { dedupKey: null }),
      entry(702, { dedupKey: null }),
    ];
    await a.delivery.accept(more);
    expect(
      await a.delivery.dispatch(more[0]!.id, [firing({ trigger: 'paced', guard: every })], 50_000),
    ).toHaveLength(1);
    expect(
      await b.delivery.dispatch(more[1]!.id, [firing({ trigger: 'paced', guard: every })], 51_000),
    ).toHaveLength(0);
    expect(
      await b.delivery.dispatch(more[2]!.id, [firing({ trigger: 'paced', guard: every })], 55_000),
    ).toHaveLength(1);
  });

  it('wakes another process on NOTIFY: inbox entries, due queue items, saved triggers', async () => {
    const heard: string[] = [];
    const offs = [
      b.changes.subscribe('inbox', () => heard.push('inbox')),
      b.changes.subscribe('queue', () => heard.push('queue')),
      b.changes.subscribe('triggers', (name) => heard.push(`triggers:${name}`)),
    ];
    const e = entry(800, { dedupKey: null });
    await a.delivery.accept([e]);
    await waitFor(() => heard.includes('inbox'));
    await a.delivery.dispatch(e.id, [firing()], 60_000);
    await waitFor(() => heard.includes('queue'));
    await a.changes.publish('triggers', 'greet');
    await waitFor(() => heard.includes('triggers:greet'));
    for (const off of offs) off();
    // Saves notify by themselves, at their commit, whichever code path made them.
    const saved: string[] = [];
    b.changes.subscribe('triggers', (name) => saved.push(`trigger ${name}`));
    b.changes.subscribe('accounts', (appId) => saved.push(`account ${appId}`));
    b.changes.subscribe('functions', (name) => saved.push(`function ${name}`));
    await a.triggers.create(
      {
        name: 'saved',
        type: 'webhook',
        enabled: true,
        definition: {} as never,
        webhookKeyHash: null,
        webhookKeyHint: null,
      },
      1,
    );
    await a.accounts.put(
      {
        appId: 'wxsaved',
        token: 't',
        encodingAESKey: null,
        previousEncodingAESKey: null,
        mode: 'plain',
        appSecret: null,
      },
      1,
    );
    const code = { code: 'x', sha256: 'h', timeoutMs: 1000, memoryMb: 64, env: {} };
    await a.functions.deploy('savedfn', code, 1);
    await a.functions.activate('savedfn', 1, 2);
    await a.triggers.delete('saved');
    await waitFor(() => saved.length === 5);
    expect(saved).toEqual([
      'trigger saved',
      'account wxsaved',
      'function savedfn',
      'function savedfn',
      'trigger saved',
    ]);
    const [d] = await a.delivery.claim('A', 60_000, 1, undefined, 1000);
    await a.delivery.complete('A', d!.id, { attempts: 1, jobId: null, durationMs: 1 }, 60_001);
  });
});

describe.skipIf(!pgUp)('the engine store on PostgreSQL: start and failures', () => {
  it('migrates once when several processes start together', async () => {
    const schema = await createTestSchema('mig');
    const clients = Array.from(
      { length: 4 },
      () => new pg.Client({ connectionString: schema.url }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const applied = await Promise.all(clients.map((c) => migratePostgres(c)));
      expect(applied.reduce((x, y) => x + y, 0)).toBe(MIGRATIONS.length);
      const { rows } = await clients[0]!.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
      // And stores opened together on it find nothing left to do.
      const stores = await Promise.all(
        [1, 2, 3].map(() => openPostgresEngineStore(schema.url, { secrets, poolSize: 2 })),
      );
      await Promise.all(stores.map((s) => s.close()));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await schema.drop();
    }
  });

  it('migration 2 on a schema with data: the inbox listed by status and the pending timer ticks as before', async () => {
    const schema = await createTestSchema('mig2');
    const client = new pg.Client({ connectionString: schema.url });
    try {
      await client.connect();
      expect(await migratePostgres(client, MIGRATIONS.slice(0, 1))).toBe(1);
      // An inbox of migration 1: entries pending (0), dispatched (1), set aside (2), and a
      // pending timer tick.
      await client.query(`INSERT INTO inbox (id, source, key, dedup_key, data, received_at, status)
        SELECT 'e' || g, 'wechat_message', 'wxapp', 'm' || g, '{}', g, g % 3
        FROM generate_series(1, 30) g`);
      await client.query(`INSERT INTO inbox (id, source, key, data, received_at)
        VALUES ('tick', 'timer', 'nightly', '{}', 100)`);
      const store = await openPostgresEngineStore(schema.url, { secrets, poolSize: 2 });
      try {
        const { rows } = await client.query<{ version: number }>(
          'SELECT max(version) AS version FROM schema_migrations',
        );
        expect(rows[0]!.version).toBe(MIGRATIONS.length);
        const list = (status: 'pending' | 'dispatched' | 'dispatch_failed') =>
          store.delivery.listEntries({ status, limit: 3, offset: 0 });
        const pending = await list('pending');
        expect(pending.total).toBe(11);
        expect(pending.objects.map((e) => e.id)).toEqual(['tick', 'e30', 'e27']);
        expect((await list('dispatched')).objects.map((e) => e.id)).toEqual(['e28', 'e25', 'e22']);
        const setAside = await list('dispatch_failed');
        expect(setAside.total).toBe(10);
        expect(setAside.objects.map((e) => e.id)).toEqual(['e29', 'e26', 'e23']);
        expect(await store.delivery.hasUnfinished('nightly')).toBe(true);
        expect(await store.delivery.hasUnfinished('hourly')).toBe(false);
      } finally {
        await store.close();
      }
    } finally {
      await client.end();
      await schema.drop();
    }
  });

  it('refuses to start with E_DATABASE_UNAVAILABLE when nothing answers, naming no password', async () => {
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const port = proxy.port;
    await proxy.close();
    await expect(
      openPostgresEngineStore(`postgres://postgres:hunter2@127.0.0.1:${port}/test`, { secrets }),
    ).rejects.toSatisfy((err: { code?: string; status?: number; message: string }) => {
      expect(err).toMatchObject({ code: 'E_DATABASE_UNAVAILABLE', status: 503 });
      expect(err.message).toContain(`127.0.0.1:${port}/test`);
      expect(err.message).not.toContain('hunter2');
      return true;
    });
  });

  it('fails an accept with E_DATABASE_UNAVAILABLE (503) while the server is gone; store and feed work again after', async () => {
    const schema = await createTestSchema('cut');
    const proxy = await startTcpProxy({ host: '127.0.0.1', port: 5432 });
    const url = new URL(schema.url);
    url.port = String(proxy.port);
    const store = await openPostgresEngineStore(url.toString(), {
      secrets,
      poolSize: 2,
      onConnectionError: () => {},
    });
    try {
      expect(await store.delivery.accept([entry(1)])).toEqual([true]);
      await proxy.cut();
      await expect(store.delivery.accept([entry(2)])).rejects.toMatchObject({
        code: 'E_DATABASE_UNAVAILABLE',
        status: 503,
      });
      const heard: string[] = [];
      store.changes.subscribe('triggers', (detail) => heard.push(detail));
      await proxy.restore();
      expect(await store.delivery.accept([entry(2)])).toEqual([true]);
      expect(await store.delivery.accept([entry(1)])).toEqual([false]);
      // The listening connection comes back by itself: its listeners hear '' (anything may
      // have changed meanwhile), then what other processes publish.
      await waitFor(() => heard.includes(''));
      const other = await openPostgresEngineStore(schema.url, { secrets, poolSize: 2 });
      await other.changes.publish('triggers', 'saved-elsewhere');
      await other.close();
      await waitFor(() => heard.includes('saved-elsewhere'));
    } finally {
      await store.close();
      await proxy.close();
      await schema.drop();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe.skipIf(!pgUp)('the engine store on PostgreSQL: durability split', () => {
  it("commits the inbox with synchronous_commit on and bookkeeping with it off, in the URL's schema", async () => {
    const schema = await createTestSchema('sync');
    const pools = await openPools(schema.url, { poolSize: 2 });
    try {
      const show = async (pool: pg.Pool) =>
        (
          await pool.query<{ s: string; p: string }>(
            'SELECT current_setting($1) AS s, current_schema() AS p',
            ['synchronous_commit'],
          )
        ).rows[0];
      expect(await show(pools.durable)).toEqual({ s: 'on', p: schema.name });
      expect(await show(pools.relaxed)).toEqual({ s: 'off', p: schema.name });
    } finally {
      await pools.end();
      await schema.drop();
    }
  });
});
