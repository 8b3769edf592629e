/**
 * engine/cache-refresh.ts on the in-process change feed: each topic reaches its cache with
 * what changed, a burst of trigger saves reloads the triggers twice at most (one reload in
 * flight, one after it), and unsubscribing stops it all.
 */
import { describe, expect, it } from 'vitest';
import { refreshCachesOnChange, type CacheRefreshers } from '../../engine/cache-refresh.ts';
import { inProcessChangeFeed } from '../../engine/store/in-process-change-feed.ts';

const quiet = { warn: () => undefined };
const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

function recording(heard: string[]): CacheRefreshers {
  return {
    triggers: () => {
      heard.push('triggers');
      return Promise.resolve();
    },
    account: (appId) => heard.push(`account ${appId}`),
    functionVersion: (name) => heard.push(`function ${name}`),
    tableSchema: (name) => heard.push(`table ${name}`),
  };
}

describe('refreshCachesOnChange', () => {
  it('hands each topic to its cache with the detail published', async () => {
    const feed = inProcessChangeFeed();
    const heard: string[] = [];
    refreshCachesOnChange(feed, recording(heard), quiet);
    await feed.publish('accounts', 'wx_a');
    await feed.publish('functions', 'hello');
    await feed.publish('tables', 'orders');
    await feed.publish('triggers', 'card');
    // Wake-ups are not cache changes.
    await feed.publish('inbox');
    await feed.publish('queue');
    await flush();
    expect(heard).toEqual(['account wx_a', 'function hello', 'table orders', 'triggers']);
  });

  it('reloads the triggers once more after a reload in flight, however many saves came', async () => {
    const feed = inProcessChangeFeed();
    let reloads = 0;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    refreshCachesOnChange(
      feed,
      { ...recording([]), triggers: async () => void ((reloads += 1), await held) },
      quiet,
    );
    for (let i = 0; i < 20; i++) await feed.publish('triggers', `t${i}`);
    await flush();
    expect(reloads).toBe(1);
    release();
    await expect.poll(() => reloads).toBe(2);
    await flush();
    expect(reloads).toBe(2);
  });

  it('keeps reloading after a failed reload, and logs it', async () => {
    const feed = inProcessChangeFeed();
    const warnings: string[] = [];
    let calls = 0;
    refreshCachesOnChange(
      feed,
      {
        ...recording([]),
        triggers: () => (++calls === 1 ? Promise.reject(new Error('db away')) : Promise.resolve()),
      },
      { warn: (_obj, msg) => warnings.push(msg) },
    );
    await feed.publish('triggers', 'a');
    await flush();
    await feed.publish('triggers', 'b');
    await flush();
    expect(calls).toBe(2);
    expect(warnings).toHaveLength(1);
  });

  it('stops when unsubscribed', async () => {
    const feed = inProcessChangeFeed();
    const heard: string[] = [];
    const stop = refreshCachesOnChange(feed, recording(heard), quiet);
    stop();
    await feed.publish('accounts', 'wx_a');
    await feed.publish('triggers', '');
    await flush();
    expect(heard).toEqual([]);
  });
});
