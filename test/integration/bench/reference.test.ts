import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../../bench/e2e/servers.ts';
import { buildPushes } from '../../../bench/e2e/pushes.ts';
import { closedLoop } from '../../../bench/lib/http-load.ts';
import { PLAIN_ACCOUNT, SAFE_ACCOUNT } from '../../../bench/lib/tutorial.ts';

// The end-to-end bench's yardstick must do the tutorial's real work: verify and open the push
// with the engine's protocol code and write the row before answering. No timings here.
describe('the bench reference server', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer('reference');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers signed pushes, plaintext and safe mode, only after their rows are written', async () => {
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
      expect(result).toMatchObject({ sent: 20, ok: 20, failures: {}, sampleBody: 'success' });
      expect(server.rowCount()).toBe(before + 20);
    }
  });

  it('refuses a push whose signature does not match, and writes nothing', async () => {
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
