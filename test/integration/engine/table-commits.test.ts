/**
 * A whole engine: its executor's table writes of quick runs share commits (issue 19), yet the
 * REST API never learns of a run before its row is committed, and a function that writes and
 * then computes never keeps a REST write on that table waiting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../../helpers/engine.ts';

let t: TestEngine;

beforeAll(async () => {
  t = await startTestEngine();
  const table = await t.api('POST', '/tables', {
    name: 'cards',
    fields: [{ name: 'code', type: 'string' }],
  });
  expect(table.status).toBe(201);
});
afterAll(() => t.close());

async function deploy(name: string, code: string, limits: object = {}): Promise<void> {
  const res = await t.api('PUT', `/functions/${name}`, { code, ...limits });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
}

async function codesInTable(): Promise<string[]> {
  const res = await t.api('GET', '/tables/cards/records?limit=1000');
  return (res.body.objects as Array<{ code: string }>).map((r) => r.code);
}

describe('the executor’s shared commits, through the REST API', () => {
  it('shows every row a run saved as soon as the run is answered', async () => {
    await deploy(
      'save_card',
      `exports.main = async (event) => (await new BaaS.TableObject('cards').create().set({ code: event.data }).save()).data.id;`,
    );
    // Enough runs, many at once, for the version to be judged quick and its writes shared.
    for (let round = 0; round < 3; round++) {
      const codes = Array.from({ length: 12 }, (_, i) => `r${round}-${i}`);
      const answered = await Promise.all(
        codes.map(async (code) => {
          const res = await t.api('POST', '/functions/save_card/invoke', { data: code });
          expect(res.body).toMatchObject({ code: 0, status: 'fulfilled' });
          return (await codesInTable()).includes(code);
        }),
      );
      expect(answered).toEqual(codes.map(() => true));
    }
  });

  it('does not keep a REST write waiting while a function that wrote computes', async () => {
    await deploy(
      'save_then_spin',
      `exports.main = async () => {
        const cards = new BaaS.TableObject('cards');
        await cards.create().set({ code: 'spun' }).save();
        const q = new BaaS.Query(); q.compare('code', '=', 'marker');
        for (;;) if ((await cards.setQuery(q).count()) > 0) return 'saw the marker';
      };`,
      { timeoutMs: 20_000 },
    );
    const running = t.api('POST', '/functions/save_then_spin/invoke', {});
    await expect.poll(codesInTable, { timeout: 15_000 }).toContain('spun');
    // Held by the spinning run, the lock would keep this write waiting until the run's end,
    // which only this write can bring.
    expect((await t.api('POST', '/tables/cards/records', { code: 'marker' })).status).toBe(201);
    expect((await running).body).toMatchObject({ code: 0, data: 'saw the marker' });
  });
});
