import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

// Attack class: an inbox poison pill. One accepted entry whose dispatch throws used to stay
// first in the pending list, so every later push was answered `success` and never ran, across
// restarts. Now it is set aside as `dispatch_failed` with its error, listed by the API,
// replayable once fixed, and the rest flow. The poison is real: the entry's stored data is
// corrupted in the SQLite file, so reading it throws inside the dispatcher.
const POISON_ID = 'poison-entry-0000000000001';

function withEngineDb<T>(dataDir: string, use: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'engine.db'));
  try {
    return use(db);
  } finally {
    db.close();
  }
}

async function pushMany(t: TestEngine, key: string, count: number, from: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${t.engine.url}/hooks/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: from + i }),
    });
    expect(response.status).toBe(202);
    await response.arrayBuffer();
  }
}

async function runs(t: TestEngine): Promise<number> {
  await t.engine.settled();
  return (await t.api('GET', '/functions/count_me/jobs?limit=1')).body.meta.total_count;
}

describe('an inbox entry that cannot be dispatched', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-poison-'));
  let t: TestEngine | undefined;
  afterAll(async () => {
    await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('is set aside while 100 good pushes run, before and after a restart, and replays once fixed', async () => {
    t = await startTestEngine({ dataDir });
    expect(
      (await t.api('PUT', '/functions/count_me', { code: 'exports.main = async (e) => e.data' }))
        .status,
    ).toBe(201);
    const trigger = await t.api('POST', '/triggers', {
      name: 'inbound',
      type: 'webhook',
      actions: [{ type: 'function', function: 'count_me' }],
    });
    expect(trigger.status).toBe(201);
    const key: string = trigger.body.key;
    await t.close();

    // The poison: an accepted entry, oldest of all, whose stored data is not JSON.
    withEngineDb(dataDir, (db) =>
      db
        .prepare(
          `INSERT INTO inbox (id, source, key, dedup_key, data, received_at) VALUES (?, 'webhook', 'inbound', NULL, ?, 1)`,
        )
        .run(POISON_ID, '{"n": 1, "broken'),
    );

    t = await startTestEngine({ dataDir });
    await pushMany(t, key, 100, 0);
    expect(await runs(t)).toBe(100);

    const failed = await t.api('GET', '/inbox?status=dispatch_failed');
    expect(failed.status).toBe(200);
    expect(failed.body.meta).toMatchObject({ total_count: 1 });
    expect(failed.body.objects).toEqual([
      {
        id: POISON_ID,
        source: 'webhook',
        key: 'inbound',
        received_at: new Date(1).toISOString(),
        status: 'dispatch_failed',
        error: expect.stringMatching(/not readable JSON/),
        failed_at: expect.any(String),
      },
    ]);
    const all = await t.api('GET', '/inbox?limit=1000');
    expect(all.body.meta.total_count).toBe(101);
    expect(
      all.body.objects.filter((e: { status: string }) => e.status === 'dispatched'),
    ).toHaveLength(100);

    // Across a restart: the set-aside entry stays aside (not retried at start), the rest flow.
    await t.close();
    t = await startTestEngine({ dataDir });
    await pushMany(t, key, 100, 100);
    expect(await runs(t)).toBe(200);
    expect((await t.api('GET', '/inbox?status=dispatch_failed')).body.meta.total_count).toBe(1);

    // Replayed while still broken: set aside again, nothing else disturbed.
    const again = await t.api('POST', `/inbox/${POISON_ID}/replay`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ id: POISON_ID, status: 'pending', error: null });
    expect(await runs(t)).toBe(200);
    expect((await t.api('GET', `/inbox/${POISON_ID}`)).body.status).toBe('dispatch_failed');

    // Fixed (the stored data repaired), then replayed: it runs once.
    withEngineDb(dataDir, (db) =>
      db.prepare('UPDATE inbox SET data = ? WHERE id = ?').run('{"n":"repaired"}', POISON_ID),
    );
    expect((await t.api('POST', `/inbox/${POISON_ID}/replay`)).status).toBe(202);
    expect(await runs(t)).toBe(201);
    expect((await t.api('GET', `/inbox/${POISON_ID}`)).body).toMatchObject({
      status: 'dispatched',
      error: null,
    });
    const latest = await t.api('GET', '/functions/count_me/jobs?limit=1000');
    expect(
      latest.body.objects.filter(
        (j: { result: unknown }) => JSON.stringify(j.result) === '{"n":"repaired"}',
      ),
    ).toHaveLength(1);
    expect((await t.api('GET', '/inbox?status=dispatch_failed')).body.objects).toEqual([]);

    // Only set-aside entries replay; unknown ids are 404.
    const done = await t.api('POST', `/inbox/${POISON_ID}/replay`);
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('E_INBOX_ENTRY_NOT_REPLAYABLE');
    expect((await t.api('POST', '/inbox/nope/replay')).body.error.code).toBe(
      'E_INBOX_ENTRY_NOT_FOUND',
    );
    expect((await t.api('GET', '/inbox?status=bogus')).status).toBe(400);
  });
});
