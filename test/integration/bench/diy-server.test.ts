import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../bench/e2e/servers.ts';
import { buildPushes } from '../../../bench/e2e/pushes.ts';
import { closedLoop } from '../../../bench/lib/http-load.ts';
import { PLAIN_ACCOUNT, SAFE_ACCOUNT } from '../../../bench/lib/tutorial.ts';

// The bench's DIY column (koa + co-wechat 2.4.0, a plain handler) and the reference at both
// durabilities must do the tutorial's real work: verify and open the push, write the row,
// then answer. No timings here.
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

describe.each([
  ['diy', 'fsync'],
  ['diy', 'process'],
  ['reference', 'process'],
] as const)('the bench %s server at %s durability', (kind, durability) => {
  it('answers signed pushes, plaintext and safe mode, only after their rows are written', async () => {
    const server = await startServer(kind, { durability });
    servers.push(server);
    expect(server.banner).toContain(`synchronous=${durability === 'fsync' ? 'full' : 'normal'}`);
    for (const [account, safe] of [
      [PLAIN_ACCOUNT, false],
      [SAFE_ACCOUNT, true],
    ] as const) {
      const before = server.rowCount();
      const result = await closedLoop(server.target, buildPushes(account, 20, safe), {
        concurrency: 4,
        maxMs: 30_000,
        timeoutMs: 30_000,
      });
      expect(result).toMatchObject({ sent: 20, ok: 20, failures: {}, sampleBody: server.answer });
      expect(server.rowCount()).toBe(before + 20);
    }
  });

  it('refuses a push whose signature does not match, and writes nothing', async () => {
    const server = servers.at(-1)!;
    const [push] = buildPushes(SAFE_ACCOUNT, 1, true);
    const tampered = {
      ...push!,
      path: push!.path.replace(/msg_signature=[0-9a-f]+/, `msg_signature=${'0'.repeat(40)}`),
    };
    const before = server.rowCount();
    const result = await closedLoop(server.target, [tampered], {
      concurrency: 1,
      maxMs: 10_000,
      timeoutMs: 10_000,
    });
    expect(result.ok).toBe(0);
    expect(result.failures).toEqual({ 401: 1 });
    expect(server.rowCount()).toBe(before);
  });
});
