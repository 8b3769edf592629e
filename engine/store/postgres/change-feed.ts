import pg from 'pg';
import type { ChangeFeed, ChangeTopic } from '../ports.ts';
import { CHANGE_TOPICS, channelOf } from './channels.ts';
import { query, type PgPools } from './pool.ts';
import { HOLD_LIVENESS, LIVENESS_LOCK_CLASS } from './liveness.ts';

/** Longest wait between two attempts to get the listening connection back. */
const MAX_RECONNECT_MS = 5000;
const MAX_DETAIL = 1000;

export interface PostgresChangeFeedOptions {
  /** The schema the engine's tables are in (channels are per schema). */
  schema: string;
  /** Where publishes go (any pooled connection: NOTIFY needs no session of its own). */
  pools: PgPools;
  /** Why the listening connection was lost (logged by the caller). */
  onConnectionLost?: (err: Error) => void;
  /**
   * This store instance's id: its liveness lock (liveness.ts) is held on the listening
   * connection, which lives exactly as long as the instance.
   */
  instanceId: string;
}

/**
 * The ChangeFeed across engine processes on one PostgreSQL: publish is `pg_notify`, and one
 * dedicated connection per process (not from the pool: a pooled one would be handed to
 * queries and lose its LISTENs) listens to every topic. When that connection drops it is
 * re-made with back-off, and every listener is called with '' once it is back. The same
 * connection holds the instance's liveness lock (liveness.ts).
 */
export async function openPostgresChangeFeed(
  url: string,
  options: PostgresChangeFeedOptions,
): Promise<ChangeFeed> {
  const listeners = new Map<ChangeTopic, Set<(detail: string) => void>>();
  const topicOf = new Map(CHANGE_TOPICS.map((t) => [channelOf(options.schema, t), t]));
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  let delay = 100;

  const deliver = (topic: ChangeTopic, detail: string) => {
    for (const listener of listeners.get(topic) ?? []) listener(detail);
  };
  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'cloudfn-listen' });
    next.on('notification', (message) => {
      const topic = topicOf.get(message.channel);
      if (topic !== undefined) deliver(topic, message.payload ?? '');
    });
    next.on('error', (err) => lost(next, err));
    next.on('end', () => lost(next, new Error('the listening connection ended')));
    await next.connect();
    await next.query(HOLD_LIVENESS, [LIVENESS_LOCK_CLASS, options.instanceId]);
    for (const channel of topicOf.keys()) await next.query(`LISTEN "${channel}"`);
    client = next;
  };
  const lost = (which: pg.Client, err: Error) => {
    if (closed || client !== which) return;
    client = undefined;
    which.end().catch(() => {});
    options.onConnectionLost?.(err);
    schedule();
  };
  const schedule = () => {
    if (closed || retry !== undefined) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect().then(
        () => {
          delay = 100;
          // Changes published while nobody listened are unknown: everything may have changed.
          for (const topic of CHANGE_TOPICS) deliver(topic, '');
        },
        () => {
          delay = Math.min(delay * 2, MAX_RECONNECT_MS);
          schedule();
        },
      );
    }, delay);
    retry.unref();
  };

  await connect();
  return {
    async publish(topic, detail = '') {
      await query(options.pools.durable, options.pools.where, 'SELECT pg_notify($1, $2)', [
        channelOf(options.schema, topic),
        detail.slice(0, MAX_DETAIL),
      ]);
    },
    subscribe(topic, listener) {
      let set = listeners.get(topic);
      if (set === undefined) listeners.set(topic, (set = new Set()));
      const own = set;
      const wrapped = (detail: string) => listener(detail);
      own.add(wrapped);
      return () => void own.delete(wrapped);
    },
    async close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      listeners.clear();
      const last = client;
      client = undefined;
      await last?.end().catch(() => {});
    },
  };
}
