import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  shiftedClock,
  startReceiverEngine,
  type ReceiverEngine,
} from '../wechat/helpers/receiver-engine.ts';

// Frequency rules under a burst of 100 matching events, on a real engine: `once` runs once,
// `atMostEvery` once per window, `always` every time. The clock is shifted, not waited for.
const HOUR = 60 * 60 * 1000;
let t: ReceiverEngine;
let key: string;

const definition = {
  type: 'webhook',
  actions: [
    { type: 'table', table: 'hits', record: { action: 'once', n: '{{n}}' }, frequency: 'once' },
    {
      type: 'table',
      table: 'hits',
      record: { action: 'hourly', n: '{{n}}' },
      frequency: { atMostEvery: '1h' },
    },
    { type: 'table', table: 'hits', record: { action: 'always', n: '{{n}}' } },
  ],
};

beforeAll(async () => {
  t = await startReceiverEngine({ clock: shiftedClock() });
  expect(
    (
      await t.api('POST', '/tables', {
        name: 'hits',
        fields: [
          { name: 'action', type: 'string' },
          { name: 'n', type: 'integer' },
        ],
      })
    ).status,
  ).toBe(201);
  const created = await t.api('POST', '/triggers', { name: 'bursty', ...definition });
  expect(created.status).toBe(201);
  key = created.body.key;
});

afterAll(async () => {
  await t?.close();
});

async function burst(from: number): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: 100 }, (_, i) =>
      fetch(`${t.url}/hooks/${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: from + i }),
      }),
    ),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202));
  await t.engine.settled();
}

async function runs(): Promise<Record<string, number>> {
  const records = (await t.api('GET', '/tables/hits/records?limit=1000')).body.objects as Array<{
    action: string;
  }>;
  const counts: Record<string, number> = { once: 0, hourly: 0, always: 0 };
  for (const r of records) counts[r.action]!++;
  return counts;
}

describe('frequency under a burst of 100 matching events', () => {
  it('once → 1 run, atMostEvery 1h → 1 run, always → 100 runs; one log row per run', async () => {
    await burst(0);
    expect(await runs()).toEqual({ once: 1, hourly: 1, always: 100 });
    expect(t.count('trigger_logs', "trigger = 'bursty'")).toBe(102);
    expect(t.count('trigger_logs', "trigger = 'bursty' AND status != 'succeeded'")).toBe(0);
  });

  it('an hour later: atMostEvery runs once more, once does not', async () => {
    t.clock.offsetMs += HOUR;
    await burst(100);
    expect(await runs()).toEqual({ once: 1, hourly: 2, always: 200 });
  });

  it('saving the trigger again starts `once` over', async () => {
    expect((await t.api('PUT', '/triggers/bursty', definition)).status).toBe(200);
    t.clock.offsetMs += HOUR;
    await burst(200);
    expect(await runs()).toEqual({ once: 2, hourly: 3, always: 300 });
  });
});
