/**
 * engine/cache-refresh.ts on a real SQLite store and the in-process change feed: saves
 * through the announcing store are told to every subscriber once committed, with what was
 * saved, and a burst of trigger saves reloads the triggers a bounded number of times.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { announcingSaves, refreshCachesOnChange } from '../../../engine/cache-refresh.ts';
import { inProcessChangeFeed } from '../../../engine/store/in-process-change-feed.ts';
import { openSqliteEngineStore, type EngineStore } from '../../../engine/store/index.ts';
import { createSecretBox } from '../../../engine/secrets/secret-box.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function openStore(): EngineStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloudfn-cache-refresh-'));
  const store = openSqliteEngineStore(path.join(dir, 'engine.db'), {
    secrets: createSecretBox(Buffer.alloc(32, 7)),
  });
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

const quiet = { warn: () => undefined };
const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

const webhookTrigger = (name: string) => ({
  name,
  type: 'webhook' as const,
  enabled: true,
  definition: {
    name,
    type: 'webhook',
    enabled: true,
    actions: [{ type: 'function', function: 'f' }],
  } as never,
  webhookKeyHash: null,
  webhookKeyHint: null,
});

describe('cache refresh across processes', () => {
  it('tells every subscriber what was saved, after the save is committed', async () => {
    const store = openStore();
    const feed = inProcessChangeFeed();
    const saved = announcingSaves(store, feed, quiet);
    const heard: string[] = [];
    const seenInStore: boolean[] = [];
    refreshCachesOnChange(
      feed,
      {
        triggers: async () => {
          heard.push('triggers');
          seenInStore.push((await store.triggers.get('t1')) !== undefined);
        },
        account: (appId) => heard.push(`account ${appId}`),
        functionVersion: (name) => heard.push(`function ${name}`),
      },
      quiet,
    );

    await saved.triggers.create(webhookTrigger('t1'), 1000);
    await flush();
    expect(heard).toEqual(['triggers']);
    expect(seenInStore).toEqual([true]);

    await saved.accounts.put(
      {
        appId: 'wx_refresh',
        token: 'tok',
        encodingAESKey: null,
        previousEncodingAESKey: null,
        mode: 'plain',
        appSecret: null,
      },
      1000,
    );
    const code = 'exports.main = async () => 1;';
    await saved.functions.deploy(
      'f',
      { code, sha256: 'x'.repeat(64), timeoutMs: 1000, memoryMb: 64, env: {} },
      1000,
    );
    await saved.functions.activate('f', 1, 2000);
    await saved.functions.delete('f');
    await saved.accounts.delete('wx_refresh');
    await flush();
    expect(heard.slice(1)).toEqual([
      'account wx_refresh',
      'function f',
      'function f',
      'function f',
      'account wx_refresh',
    ]);

    // Reads and everything else pass through unchanged.
    expect((await saved.triggers.list()).map((t) => t.name)).toEqual(['t1']);
    expect(await saved.delivery.pending(10)).toEqual([]);
  });

  it('coalesces a burst of trigger saves: one reload in flight, one more after it', async () => {
    const store = openStore();
    const feed = inProcessChangeFeed();
    const saved = announcingSaves(store, feed, quiet);
    let reloads = 0;
    let lastSeen = 0;
    // The first reload is held until every save is done, as a slow reload would be.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    refreshCachesOnChange(
      feed,
      {
        triggers: async () => {
          reloads += 1;
          await held;
          lastSeen = (await store.triggers.list()).length;
        },
        account: () => undefined,
        functionVersion: () => undefined,
      },
      quiet,
    );
    for (let i = 0; i < 20; i++) await saved.triggers.create(webhookTrigger(`burst_${i}`), 1000);
    release();
    await expect.poll(() => reloads === 2 && lastSeen === 20).toBe(true);
    await flush();
    expect(reloads).toBe(2);
  });
});
