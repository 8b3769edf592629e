/**
 * Issue 12, item 8: job rows are pruned by age (CLOUDFN_JOB_RETENTION_DAYS, 30 by default),
 * in batches, at start and hourly; newer jobs and jobs still running stay.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../../engine/store/index.ts';
import { startJobRetention } from '../../../engine/dispatch/job-retention.ts';
import {
  shiftedClock,
  startReceiverEngine,
  type ReceiverEngine,
} from '../wechat/helpers/receiver-engine.ts';

const DAY = 24 * 60 * 60 * 1000;
const silentLog = { info: () => undefined, error: () => undefined };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-job-retention-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('job retention on a real engine', () => {
  async function engineAt(
    dataDir: string,
    offsetMs: number,
    env?: Record<string, string>,
  ): Promise<ReceiverEngine> {
    const clock = shiftedClock();
    clock.offsetMs = offsetMs;
    const t = await startReceiverEngine({ dataDir, clock, ...(env ? { env } : {}) });
    cleanups.push(() => t.close());
    return t;
  }

  it('drops jobs older than the retention at start, keeps the newer ones', async () => {
    const dataDir = tempDir();
    const first = await engineAt(dataDir, 0, { CLOUDFN_JOB_RETENTION_DAYS: '10' });
    expect(
      (await first.api('PUT', '/functions/echo', { code: 'exports.main = async (e) => e.data' }))
        .status,
    ).toBe(201);
    const old = await first.api('POST', '/functions/echo/invoke', { data: 'old' });
    await first.close();

    // Eleven days later: the first job is past ten days of retention.
    const second = await engineAt(dataDir, 11 * DAY, { CLOUDFN_JOB_RETENTION_DAYS: '10' });
    const fresh = await second.api('POST', '/functions/echo/invoke', { data: 'new' });
    await expect.poll(() => second.count('jobs', 'id = ?', old.body.job_id)).toBe(0);
    expect((await second.api('GET', `/jobs/${old.body.job_id}`)).status).toBe(404);
    expect((await second.api('GET', `/jobs/${fresh.body.job_id}`)).body).toMatchObject({
      status: 'fulfilled',
      result: 'new',
    });
    expect(second.logs.some((l) => l.msg === 'old jobs pruned' && l.dropped === 1)).toBe(true);
    await second.close();

    // With the default of 30 days, eleven-day-old jobs stay.
    const third = await engineAt(dataDir, 22 * DAY);
    await third.engine.settled();
    expect(third.count('jobs', 'id = ?', fresh.body.job_id)).toBe(1);
  });
});

describe('startJobRetention over a real SQLite store', () => {
  function jobAt(id: string, createdAt: number, status: 'executing' | 'fulfilled') {
    return {
      id,
      function: 'f',
      version: 1,
      source: 'invoke',
      status,
      createdAt,
      data: null,
      inboxId: null,
      triggerName: null,
      triggerLogId: null,
    };
  }

  it('prunes a backlog in batches, yielding between them, and never a running job', async () => {
    const dir = tempDir();
    const store = openSqliteEngineStore(path.join(dir, 'engine.db'));
    cleanups.push(() => store.close());
    const now = 100 * DAY;
    // 1,234 old finished jobs, one old job still executing, 3 recent ones.
    await store.jobs.create(jobAt('running-old', now - 40 * DAY, 'executing'));
    for (let i = 0; i < 1234; i++)
      await store.jobs.create(jobAt(`old-${i}`, now - 40 * DAY + i, 'fulfilled'));
    for (let i = 0; i < 3; i++)
      await store.jobs.create(jobAt(`new-${i}`, now - DAY + i, 'fulfilled'));

    const batches: number[] = [];
    const jobs = {
      ...store.jobs,
      pruneBatch: async (before: number, limit: number) => {
        const n = await store.jobs.pruneBatch(before, limit);
        batches.push(n);
        return n;
      },
    };
    // Something else gets the event loop between two batches.
    let turns = 0;
    const other = setInterval(() => turns++, 0);
    cleanups.push(() => clearInterval(other));

    const retention = startJobRetention({
      jobs,
      clock: { now: () => now },
      retentionDays: 30,
      log: silentLog,
      batch: 100,
    });
    cleanups.push(() => retention.stop());
    const dropped = await retention.pruneNow();
    expect(dropped).toBe(1234);
    expect(batches.length).toBeGreaterThanOrEqual(13);
    expect(batches.slice(0, 12).every((n) => n >= 99)).toBe(true);
    expect(turns).toBeGreaterThan(0);
    expect((await store.jobs.get('running-old'))?.status).toBe('executing');
    expect(await store.jobs.get('old-0')).toBeUndefined();
    expect(await store.jobs.get('old-1233')).toBeUndefined();
    for (let i = 0; i < 3; i++)
      expect((await store.jobs.get(`new-${i}`))?.status).toBe('fulfilled');
    // Nothing left to prune: one batch that finds nothing.
    batches.length = 0;
    expect(await retention.pruneNow()).toBe(0);
    expect(batches).toEqual([0]);
  });
});
