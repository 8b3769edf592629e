/**
 * Every engine process keeps what it reads on each push in memory: the trigger index, the
 * accounts' prepared keys, the active version of each function, table schemas. Several
 * processes share one database, so a save on one must reach the caches of all: the
 * PostgreSQL store announces each save on the change feed at its commit (NOTIFY), and every
 * process, the saving one included, drops or rebuilds what it holds. A hint, never the data:
 * whoever is told re-reads the store. After the feed's connection was lost and is back, the
 * detail is '' (anything may have changed): everything is dropped.
 */
import type { ChangeFeed } from './store/index.ts';

interface Logger {
  warn(obj: object, msg: string): void;
}

/** What a process does when told that something of a kind changed ('' = anything of it). */
export interface CacheRefreshers {
  triggers(): Promise<void>;
  account(appId: string): void;
  functionVersion(name: string): void;
  tableSchema?(name: string): void;
}

/** Subscribes the caches to the feed; returns the unsubscribe. */
export function refreshCachesOnChange(
  feed: ChangeFeed,
  refreshers: CacheRefreshers,
  log: Logger,
): () => void {
  // Saves come in bursts (a deploy of a project saves many triggers): one reload at a time,
  // and one more after it for whatever arrived meanwhile.
  let reloading: Promise<void> | undefined;
  let again = false;
  const reloadTriggers = () => {
    if (reloading) {
      again = true;
      return;
    }
    reloading = refreshers
      .triggers()
      .catch((err: unknown) =>
        log.warn({ err }, 'triggers not reloaded after a change: the next change retries'),
      )
      .finally(() => {
        reloading = undefined;
        if (again) {
          again = false;
          reloadTriggers();
        }
      });
  };
  const unsubscribes = [
    feed.subscribe('triggers', reloadTriggers),
    feed.subscribe('accounts', (appId) => refreshers.account(appId)),
    feed.subscribe('functions', (name) => refreshers.functionVersion(name)),
    ...(refreshers.tableSchema
      ? [feed.subscribe('tables', (name) => refreshers.tableSchema!(name))]
      : []),
  ];
  return () => unsubscribes.forEach((unsubscribe) => unsubscribe());
}
