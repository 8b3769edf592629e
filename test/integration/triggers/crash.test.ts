import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEngine, type ChildEngine } from '../wechat/helpers/child-engine.ts';

// The delivery promise on a real `cloudfn serve` process: SIGKILL it during a burst of
// queued actions, start it again on the same data dir, and every firing ends succeeded
// (job fulfilled) or dead_letter; none is lost; none runs more often than its attempts
// allow. Each run writes a row before doing anything else, so the rows count the runs.
const BURST = 50;
const ATTEMPTS = 3;
const WORK = `exports.main = async (event) => {
  const runs = new BaaS.TableObject('runs');
  const row = runs.create();
  row.set({ n: event.data.n });
  await row.save();
  await new Promise((resolve) => setTimeout(resolve, 200));
  // Every fifth event always fails: it goes through all its attempts to dead letter.
  if (event.data.n % 5 === 0) throw new Error('refused on purpose');
  return { n: event.data.n };
};`;

let dataDir: string;
let engine: ChildEngine | undefined;

beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-trigger-crash-'));
});

afterAll(async () => {
  if (engine && engine.child.exitCode === null && engine.child.signalCode === null) {
    engine.child.kill('SIGKILL');
    await engine.exited;
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function inspect<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(dataDir, 'engine.db'), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

async function runsPerEvent(e: ChildEngine): Promise<Map<number, number>> {
  const rows = (await e.api('GET', '/tables/runs/records?limit=1000')).body.objects as Array<{
    n: number;
  }>;
  const runs = new Map<number, number>();
  for (const { n } of rows) runs.set(n, (runs.get(n) ?? 0) + 1);
  return runs;
}

describe('a SIGKILL during a burst of queued actions', () => {
  it('loses nothing and runs nothing more than its attempts allow', async () => {
    engine = await spawnEngine(dataDir);
    const ok = (answer: { status: number; body: unknown }) =>
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
    ok(
      await engine.api('POST', '/tables', {
        name: 'runs',
        fields: [{ name: 'n', type: 'integer' }],
      }),
    );
    ok(await engine.api('PUT', '/functions/work', { code: WORK }));
    const trigger = await engine.api('POST', '/triggers', {
      name: 'burst',
      type: 'webhook',
      actions: [{ type: 'function', function: 'work' }],
      retry: { attempts: ATTEMPTS, backoff: '50ms' },
    });
    ok(trigger);

    const answers = await Promise.all(
      Array.from({ length: BURST }, (_, n) =>
        fetch(`${engine!.url}/hooks/${trigger.body.key}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ n }),
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(BURST).fill(202));

    // Kill once some runs happened, well before the burst can be through (50 × 200 ms, 8 at a time).
    const first = engine;
    await expect
      .poll(async () => [...(await runsPerEvent(first)).values()].reduce((a, b) => a + b, 0), {
        timeout: 20_000,
        interval: 20,
      })
      .toBeGreaterThanOrEqual(8);
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const unfinishedAtKill = inspect((db) =>
      count(
        db,
        "SELECT count(*) AS n FROM trigger_logs WHERE status NOT IN ('succeeded', 'dead_letter')",
      ),
    );
    expect(unfinishedAtKill).toBeGreaterThan(0);

    engine = await spawnEngine(dataDir);
    const second = engine;
    await expect
      .poll(
        async () => {
          const logs = (await second.api('GET', '/triggers/burst/logs?limit=1000')).body
            .objects as Array<{ status: string }>;
          return (
            logs.length === BURST &&
            logs.every((l) => l.status === 'succeeded' || l.status === 'dead_letter')
          );
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBe(true);

    const logs = (await second.api('GET', '/triggers/burst/logs?limit=1000')).body
      .objects as Array<{
      event: { n: number };
      status: string;
      attempts: number;
      job_id: string | null;
    }>;
    // None lost: one log row per event, each dispatched once.
    expect(logs.map((l) => l.event.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: BURST }, (_, n) => n),
    );
    inspect((db) => {
      expect(
        count(db, "SELECT count(*) AS n FROM inbox WHERE source = 'webhook' AND dispatched = 1"),
      ).toBe(BURST);
      expect(count(db, 'SELECT count(*) AS n FROM queue')).toBe(0);
    });

    const runs = await runsPerEvent(second);
    const jobs = new Map(
      (
        (await second.api('GET', '/functions/work/jobs?limit=1000')).body.objects as Array<{
          id: string;
          status: string;
        }>
      ).map((j) => [j.id, j.status]),
    );
    for (const log of logs) {
      const n = log.event.n;
      const ran = runs.get(n) ?? 0;
      expect(ran, `event ${n} ran ${ran} times`).toBeLessThanOrEqual(ATTEMPTS);
      expect(log.attempts, `event ${n}`).toBeLessThanOrEqual(ATTEMPTS);
      if (n % 5 === 0) {
        expect(log.status, `event ${n}`).toBe('dead_letter');
      } else {
        expect(log.status, `event ${n}`).toBe('succeeded');
        expect(ran, `event ${n}`).toBeGreaterThanOrEqual(1);
        expect(jobs.get(log.job_id!), `event ${n}`).toBe('fulfilled');
      }
    }

    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });
});
