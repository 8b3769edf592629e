import { randomUUID } from 'node:crypto';
import type { ChangeFeed, EngineStore } from '../ports.ts';
import type { SecretBox } from '../../secrets/secret-box.ts';
import { guarded, openPools, type PgPools } from './pool.ts';
import { migratePostgres } from './migrations.ts';
import { postgresAccountStore } from './accounts.ts';
import { postgresTokenStore } from './access-tokens.ts';
import { postgresFunctionStore } from './functions.ts';
import { postgresJobStore } from './jobs.ts';
import { postgresTriggerStore } from './triggers.ts';
import { postgresSettingsStore } from './settings.ts';
import { postgresDeliveryLog } from './delivery-log.ts';
import { openPostgresChangeFeed } from './change-feed.ts';
import { channelsOf } from './channels.ts';

export interface PostgresStoreOptions {
  /** Seals the secret columns, as on SQLite (the key is kept outside the database). */
  secrets: SecretBox;
  /** Connections this process keeps at most (CLOUDFN_DATABASE_POOL_SIZE). */
  poolSize?: number;
  /**
   * How long a created job's row waits for its run's end, to be written once (jobs.ts
   * HOLD_MS by default; tests set it).
   */
  jobHoldMs?: number;
  /** A connection lost outside a query (the server restarted): for the log. */
  onConnectionError?: (err: Error) => void;
}

/** The engine's state on PostgreSQL, with the feed other processes' changes arrive on. */
export interface PostgresEngineStore extends EngineStore {
  /** Wake-ups and cache invalidations across the processes sharing the database. */
  changes: ChangeFeed;
  /** The schema the tables are in (the URL's search_path, else `public`). */
  schema: string;
  /**
   * This instance's id: the detail of its own `inbox` and `queue` wake-ups on the feed (its
   * process was told in memory and may let them pass).
   */
  instanceId: string;
}

/**
 * Opens the engine's state on the PostgreSQL database of `url`: checks that it answers
 * (E_DATABASE_UNAVAILABLE otherwise), applies the migrations under an advisory lock (N
 * processes starting together migrate once), re-seals secrets of a rotated key, and starts
 * listening for the other processes' changes.
 */
export async function openPostgresEngineStore(
  url: string,
  options: PostgresStoreOptions,
): Promise<PostgresEngineStore> {
  const pools = await openPools(url, {
    poolSize: options.poolSize ?? 10,
    onIdleError: options.onConnectionError,
  });
  try {
    const schema = await guarded(pools.where, () => prepareSchema(pools));
    // This instance's id: job rows name it, its liveness lock holds it (liveness.ts).
    const instanceId = randomUUID();
    const changes = await guarded(pools.where, () =>
      openPostgresChangeFeed(url, {
        schema,
        pools,
        instanceId,
        onConnectionLost: options.onConnectionError,
      }),
    );
    const channels = channelsOf(schema);
    try {
      const jobs = postgresJobStore(pools, instanceId, options.jobHoldMs);
      const [accounts, accessTokens] = [
        await postgresAccountStore(pools, options.secrets, channels.accounts),
        await postgresTokenStore(pools, options.secrets),
      ];
      return {
        schema,
        changes,
        accounts,
        accessTokens,
        functions: postgresFunctionStore(pools, channels.functions),
        jobs,
        triggers: postgresTriggerStore(pools, channels.triggers),
        settings: postgresSettingsStore(pools),
        delivery: postgresDeliveryLog(pools, channels, instanceId),
        instanceId,
        async close() {
          // The job rows held back (jobs.ts) and those on their way, before the pools end.
          await jobs.close();
          await changes.close();
          await pools.end();
        },
      };
    } catch (err) {
      await changes.close();
      throw err;
    }
  } catch (err) {
    await pools.end();
    throw err;
  }
}

/** Migrates (under the lock) and says which schema the tables are in. */
async function prepareSchema(pools: PgPools): Promise<string> {
  const client = await pools.durable.connect();
  try {
    await migratePostgres(client);
    const { rows } = await client.query<{ schema: string | null }>(
      'SELECT current_schema() AS schema',
    );
    const schema = rows[0]?.schema;
    if (!schema)
      throw new Error(
        'PostgreSQL has no current schema for this connection: the search_path names no schema that exists',
      );
    return schema;
  } finally {
    client.release();
  }
}
