/**
 * A per-second timer with three processes: every process schedules it, and each slot fires
 * once (the slot is the tick's dedup key in the shared inbox; no leader). The issue asks for
 * a minute: CI (CLOUDFN_SLOW_TESTS=1) watches 60 s, a local run 15 s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../helpers/cluster.ts';
import { postgresAvailable } from '../../helpers/postgres.ts';

const pgUp = await postgresAvailable();
const WINDOW_S = process.env.CLOUDFN_SLOW_TESTS === '1' ? 60 : 15;

let cluster: Cluster;

beforeAll(async () => {
  if (!pgUp) return;
  cluster = await startCluster({ roles: ['all', 'all', 'all'] });
  await cluster.deployFunction(0, 'tick', 'exports.main = async (e) => e.data.scheduledAt;');
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

describe.skipIf(!pgUp)('a timer on three processes', () => {
  it(`fires once per slot for ${WINDOW_S} s`, async () => {
    await cluster.createTrigger(1, {
      name: 'every_second',
      type: 'timer',
      condition: { cron: '* * * * * *' },
      actions: [{ type: 'function', function: 'tick' }],
    });
    await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
    await cluster.ok(2, 'PATCH', '/triggers/every_second', { enabled: false });
    // Ticks accepted just before the switch still run.
    await expect
      .poll(
        async () => (await cluster.ok(0, 'GET', '/inbox?status=pending')).body.meta.total_count,
        { timeout: 20_000 },
      )
      .toBe(0);
    await expect
      .poll(
        async () =>
          (await cluster.logs(0, 'every_second')).filter((l) => l.status === 'pending').length,
        {
          timeout: 20_000,
        },
      )
      .toBe(0);

    const jobs = await cluster.jobs(0, 'tick');
    const slots = jobs.map((j) => j.result as string);
    // Once per slot: no slot twice, whichever process's scheduler fired it.
    expect(new Set(slots).size).toBe(slots.length);
    // And not skipped wholesale: a slot is missed only when the previous run was unfinished.
    expect(slots.length).toBeGreaterThanOrEqual(Math.floor(WINDOW_S / 2));
    expect(slots.length).toBeLessThanOrEqual(WINDOW_S + 2);
    const logs = await cluster.logs(0, 'every_second');
    expect(logs.length).toBe(slots.length);
    expect(new Set(logs.map((l) => l.event.scheduledAt)).size).toBe(logs.length);
  }, 180_000);
});
