import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';
import { startReceiverEngine } from '../wechat/helpers/receiver-engine.ts';

// Timer triggers on a real engine: a every-second cron fires at once, a run never overlaps
// the previous one, and runs missed while the engine was down are not replayed.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function engine(): Promise<TestEngine> {
  const t = await startTestEngine();
  cleanups.push(() => t.close());
  return t;
}

const ms = (iso: string) => new Date(iso).getTime();

async function pollJobs(t: TestEngine, fn: string, count: number, timeout: number): Promise<any[]> {
  let jobs: any[] = [];
  await expect
    .poll(
      async () => {
        jobs = (await t.api('GET', `/functions/${fn}/jobs?limit=100`)).body.objects.filter(
          (j: any) => j.status !== 'executing',
        );
        return jobs.length >= count;
      },
      { timeout, interval: 50 },
    )
    .toBe(true);
  return jobs.sort((a, b) => ms(a.created_at) - ms(b.created_at));
}

describe('timer triggers', () => {
  it('fires a "* * * * * *" timer within two seconds, with {scheduledAt, firedAt}', async () => {
    const t = await engine();
    expect(
      (
        await t.api('PUT', '/functions/tick', {
          code: 'exports.main = async (event) => ({ data: event.data, eventType: event.eventType });',
        })
      ).status,
    ).toBe(201);
    const created = await t.api('POST', '/triggers', {
      name: 'every_second',
      type: 'timer',
      condition: { cron: '* * * * * *' },
      actions: [{ type: 'function', function: 'tick' }],
    });
    expect(created.status).toBe(201);

    const [first] = await pollJobs(t, 'tick', 1, 10_000);
    const { scheduledAt, firedAt } = first.data;
    // The schedule is exact, whatever the machine's load: the first tick is at most 2 s after saving.
    expect(ms(scheduledAt) - ms(created.body.updated_at)).toBeLessThanOrEqual(2000);
    expect(ms(scheduledAt) % 1000).toBe(0);
    expect(ms(firedAt)).toBeGreaterThanOrEqual(ms(scheduledAt));
    expect(first).toMatchObject({ status: 'fulfilled', result: { eventType: 'timer' } });
  });

  it('never starts a run while the previous one is still running', async () => {
    const t = await engine();
    const slow =
      'exports.main = async () => { await new Promise((r) => setTimeout(r, 1500)); return 1; };';
    expect((await t.api('PUT', '/functions/slow_tick', { code: slow })).status).toBe(201);
    expect(
      (
        await t.api('POST', '/triggers', {
          name: 'slow_timer',
          type: 'timer',
          condition: { cron: '* * * * * *' },
          actions: [{ type: 'function', function: 'slow_tick' }],
        })
      ).status,
    ).toBe(201);

    const jobs = await pollJobs(t, 'slow_tick', 3, 20_000);
    for (let i = 1; i < jobs.length; i++) {
      expect(ms(jobs[i].created_at)).toBeGreaterThanOrEqual(ms(jobs[i - 1].finished_at));
    }
    // Ticks that fell inside a run were skipped, not queued: each run is for a later second.
    const seconds = jobs.map((j) => ms(j.data.scheduledAt));
    for (let i = 1; i < seconds.length; i++)
      expect(seconds[i]! - seconds[i - 1]!).toBeGreaterThanOrEqual(2000);
  });

  it('does not replay the runs missed while the engine was down', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-timer-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const scheduled = async (t: { api: TestEngine['api'] }) =>
      (
        (await t.api('GET', '/tables/ticks/records?limit=1000')).body.objects as Array<{
          at: string;
        }>
      ).map((r) => ms(r.at));

    const first = await startReceiverEngine({ dataDir });
    expect(
      (
        await first.api('POST', '/tables', {
          name: 'ticks',
          fields: [{ name: 'at', type: 'string' }],
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await first.api('POST', '/triggers', {
          name: 'ticker',
          type: 'timer',
          condition: { cron: '* * * * * *' },
          actions: [{ type: 'table', table: 'ticks', record: { at: '{{scheduledAt}}' } }],
        })
      ).status,
    ).toBe(201);
    await expect
      .poll(async () => (await scheduled(first)).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(1);
    await first.close();
    const downAt = Date.now();

    await new Promise((resolve) => setTimeout(resolve, 3000));
    const upAt = Date.now();
    const second = await startReceiverEngine({ dataDir });
    cleanups.push(() => second.close());
    const before = (await scheduled(second)).length;
    await expect
      .poll(async () => (await scheduled(second)).length, { timeout: 10_000 })
      .toBeGreaterThan(before);

    const missed = (await scheduled(second)).filter((at) => at > downAt && at < upAt - 1000);
    expect(missed).toEqual([]);
  });
});
