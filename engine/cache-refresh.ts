/**
 * Every engine process keeps what it reads on each push in memory: the trigger index, the
 * accounts' prepared keys, the active version of each function, table schemas. Several
 * processes share one database, so a save on one must reach the caches of all. Saves are
 * announced on the change feed (PostgreSQL: NOTIFY; one process: in memory), and every
 * process, the saving one included, drops or rebuilds what it holds. A hint, never the data:
 * whoever is told re-reads the store.
 */
import type {
  AccountStore,
  ChangeFeed,
  ChangeTopic,
  EngineStore,
  FunctionStore,
  TriggerStore,
} from './store/index.ts';

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

/**
 * The store, its saves of triggers, accounts and function versions announced on the feed
 * once they are committed. Whoever saves through it (admin API, CLI, project deploys) needs
 * to know nothing of other processes.
 */
export function announcingSaves(store: EngineStore, feed: ChangeFeed, log: Logger): EngineStore {
  const announce = (topic: ChangeTopic, detail: string) =>
    feed
      .publish(topic, detail)
      .catch((err: unknown) =>
        log.warn(
          { err, topic, detail },
          'a save was not announced to the other engine processes: they see it after their next reload',
        ),
      );
  const after =
    <A extends unknown[], R>(
      topic: ChangeTopic,
      write: (...args: A) => Promise<R>,
      detailOf: (...args: A) => string,
    ) =>
    async (...args: A): Promise<R> => {
      const result = await write(...args);
      await announce(topic, detailOf(...args));
      return result;
    };

  const triggers = overriding<TriggerStore>(store.triggers, {
    create: after('triggers', store.triggers.create.bind(store.triggers), (t) => t.name),
    replace: after('triggers', store.triggers.replace.bind(store.triggers), (t) => t.name),
    delete: after('triggers', store.triggers.delete.bind(store.triggers), (name) => name),
  });
  const accounts = overriding<AccountStore>(store.accounts, {
    put: after('accounts', store.accounts.put.bind(store.accounts), (a) => a.appId),
    delete: after('accounts', store.accounts.delete.bind(store.accounts), (appId) => appId),
  });
  const functions = overriding<FunctionStore>(store.functions, {
    deploy: after('functions', store.functions.deploy.bind(store.functions), (name) => name),
    activate: after('functions', store.functions.activate.bind(store.functions), (name) => name),
    delete: after('functions', store.functions.delete.bind(store.functions), (name) => name),
  });
  return overriding<EngineStore>(store, { triggers, accounts, functions });
}

/**
 * `target` with some members replaced; every other member is the target's own, methods
 * bound to it (stores may be classes with private fields).
 */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(object, key) {
      if (Object.hasOwn(overrides, key))
        return (overrides as Record<string | symbol, unknown>)[key];
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(object)
        : value;
    },
  });
}
