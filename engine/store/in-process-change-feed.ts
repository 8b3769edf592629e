import type { ChangeFeed, ChangeTopic } from './ports.ts';

/**
 * The ChangeFeed of an engine that is the only process on its state (SQLite): listeners are
 * called on a later microtask, as a feed across processes would call them after the
 * publisher's call has returned.
 */
export function inProcessChangeFeed(): ChangeFeed {
  const listeners = new Map<ChangeTopic, Set<(detail: string) => void>>();
  let closed = false;
  return {
    publish(topic, detail = '') {
      if (!closed)
        for (const listener of listeners.get(topic) ?? []) queueMicrotask(() => listener(detail));
      return Promise.resolve();
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (set === undefined) listeners.set(topic, (set = new Set()));
      const own = set;
      const wrapped = (detail: string) => listener(detail);
      own.add(wrapped);
      return () => void own.delete(wrapped);
    },
    close() {
      closed = true;
      listeners.clear();
      return Promise.resolve();
    },
  };
}
