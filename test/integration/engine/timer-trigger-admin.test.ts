/**
 * A timer trigger disabled, enabled, updated and deleted through the API, on a real engine.
 * "It no longer fires" is judged by order, not by waiting a fixed time: a second, witness
 * timer keeps ticking, and once it has fired twice for seconds after the change, the changed
 * trigger had the same seconds to fire in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

const TICK = 'exports.main = async (event) => event.data.scheduledAt;';
/** A firing scheduled in the second of a change may still go either way. */
const SLACK_MS = 1000;

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine();
  for (const name of ['tick_a', 'tick_b', 'witness'])
    expect((await t.api('PUT', `/functions/${name}`, { code: TICK })).status).toBe(201);
  const witness = await t.api('POST', '/triggers', {
    name: 'witness',
    type: 'timer',
    condition: { cron: '* * * * * *' },
    actions: [{ type: 'function', function: 'witness' }],
  });
  expect(witness.status).toBe(201);
});
afterAll(() => t.close(), 180_000);

/** When each finished run of `fn` was scheduled (ms). */
async function scheduled(fn: string): Promise<number[]> {
  const jobs = await t.api('GET', `/functions/${fn}/jobs?limit=1000&status=fulfilled`);
  return (jobs.body.objects as { result: string }[]).map((j) => new Date(j.result).getTime());
}

/** Waits until `fn` ran for a second scheduled after `at`. */
async function ranAfter(fn: string, at: number): Promise<void> {
  await expect
    .poll(async () => (await scheduled(fn)).some((s) => s > at), { timeout: 20_000, interval: 100 })
    .toBe(true);
}

/** Waits until the witness fired for two seconds after `at` (+ slack). */
async function twoWitnessTicksAfter(at: number): Promise<void> {
  await expect
    .poll(async () => (await scheduled('witness')).filter((s) => s > at + SLACK_MS).length, {
      timeout: 20_000,
      interval: 100,
    })
    .toBeGreaterThanOrEqual(2);
}

describe('a timer trigger changed through the API', () => {
  it('stops firing when disabled, fires again when enabled, follows an update, stops when deleted', async () => {
    const created = await t.api('POST', '/triggers', {
      name: 'clock',
      type: 'timer',
      condition: { cron: '* * * * * *' },
      actions: [{ type: 'function', function: 'tick_a' }],
    });
    expect(created.status).toBe(201);
    await ranAfter('tick_a', 0);

    // Disabled: no run for any second after it.
    const disabledAt = Date.now();
    expect((await t.api('PATCH', '/triggers/clock', { enabled: false })).body).toMatchObject({
      enabled: false,
    });
    await twoWitnessTicksAfter(disabledAt);
    expect((await scheduled('tick_a')).filter((s) => s > disabledAt + SLACK_MS)).toEqual([]);

    // Enabled again: it fires again.
    const enabledAt = Date.now();
    expect((await t.api('PATCH', '/triggers/clock', { enabled: true })).status).toBe(200);
    await ranAfter('tick_a', enabledAt);

    // Updated to run tick_b: the new action runs, the old one no more.
    const updatedAt = Date.now();
    const updated = await t.api('PUT', '/triggers/clock', {
      type: 'timer',
      condition: { cron: '* * * * * *' },
      actions: [{ type: 'function', function: 'tick_b' }],
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    await ranAfter('tick_b', updatedAt);
    await twoWitnessTicksAfter(updatedAt);
    expect((await scheduled('tick_a')).filter((s) => s > updatedAt + SLACK_MS)).toEqual([]);

    // Deleted: nothing more.
    const deletedAt = Date.now();
    expect((await t.api('DELETE', '/triggers/clock')).status).toBe(204);
    await twoWitnessTicksAfter(deletedAt);
    expect((await scheduled('tick_b')).filter((s) => s > deletedAt + SLACK_MS)).toEqual([]);
    expect((await t.api('GET', '/triggers/clock')).status).toBe(404);
  }, 120_000);
});
