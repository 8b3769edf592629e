import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteEngineStore } from '../../../engine/store/index.ts';
import { startTestEngine } from '../../helpers/engine.ts';

// The delivery log's own behaviours are the EngineStore contract's
// (test/contract/engine-store.contract.ts); here, on a real SQLite file, what a restart does
// with claims left behind, and the runner's refusal to exceed the attempts.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-queue-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the job runner after crashes', () => {
  it('dead-letters a firing whose last allowed attempt was interrupted, without running it again', async () => {
    const dataDir = tempDir();
    const first = await startTestEngine({ dataDir });
    expect(
      (await first.api('PUT', '/functions/never', { code: 'exports.main = async () => 1;' }))
        .status,
    ).toBe(201);
    expect(
      (
        await first.api('POST', '/triggers', {
          name: 'crashy',
          type: 'webhook',
          actions: [{ type: 'function', function: 'never' }],
          retry: { attempts: 2, backoff: '10ms' },
        })
      ).status,
    ).toBe(201);
    await first.close();

    // Two attempts started and were cut short by crashes (claimed, never finished).
    const store = openSqliteEngineStore(path.join(dataDir, 'engine.db'));
    await store.delivery.accept([
      { id: 'in-1', source: 'webhook', key: 'crashy', dedupKey: null, data: {}, receivedAt: 1 },
    ]);
    await store.delivery.dispatch(
      'in-1',
      [
        {
          logId: 'cut-short',
          trigger: 'crashy',
          actionIndex: 0,
          action: { type: 'function', function: 'never' },
          eventType: 'webhook',
          lane: 'function:never',
        },
      ],
      Date.now(),
    );
    for (let i = 0; i < 2; i++) {
      expect(await store.delivery.claim('gone', Date.now(), 10, undefined, 60_000)).toHaveLength(1);
      // What the next start does with the claims of a process that died.
      expect(await store.delivery.releaseAbandoned(Date.now())).toBe(1);
    }
    await store.close();

    const second = await startTestEngine({ dataDir });
    cleanups.push(() => second.close());
    await second.engine.settled();
    const log = (await second.api('GET', '/triggers/crashy/logs/cut-short')).body;
    expect(log).toMatchObject({
      status: 'dead_letter',
      attempts: 2,
      error_type: 'E_ATTEMPT_INTERRUPTED',
    });
    expect((await second.api('GET', '/functions/never/jobs')).body.meta.total_count).toBe(0);
  });
});
