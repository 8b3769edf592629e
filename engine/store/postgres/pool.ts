import pg from 'pg';
import { DatabaseUnavailableError, describeDatabase, isConnectionFailure } from './errors.ts';
import { isStalePreparedStatement, StatementNames } from './statement-names.ts';

/** Unix-ms times are `bigint` columns: read them as numbers (exact up to 2^53, year 287396). */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface PgPools {
  /** Durable commits (synchronous_commit = on): the inbox, admin writes, settings. */
  durable: pg.Pool;
  /**
   * Bookkeeping (synchronous_commit = off, set per session): dispatches, claims,
   * completions, job rows. A crash of the server can lose the last few hundred ms of these,
   * which only makes delivery run again (at least once); never an accepted event.
   */
  relaxed: pg.Pool;
  /** Host, port and database, for messages (no credentials). */
  where: string;
  end(): Promise<void>;
}

export interface PoolOptions {
  /** Connections in all, split between the two pools (at least 1 each). */
  poolSize: number;
  /** How long to wait for a connection before failing (ms). */
  connectTimeoutMs?: number;
  /** Errors of idle connections (the server restarted): logged, never thrown. */
  onIdleError?: (err: Error) => void;
}

/**
 * Opens the two pools and checks once that the server answers, so a wrong URL or a server
 * that is down stops the start with E_DATABASE_UNAVAILABLE instead of the first push.
 */
export async function openPools(url: string, options: PoolOptions): Promise<PgPools> {
  const where = describeDatabase(url);
  const relaxedSize = Math.max(1, Math.floor(options.poolSize / 2));
  const durableSize = Math.max(1, options.poolSize - relaxedSize);
  const make = (max: number, synchronousCommit: 'on' | 'off') => {
    // Bookkeeping reads and changes the churning tables (the queue: every item inserted,
    // claimed and deleted within seconds). A generic plan a connection keeps for a named
    // statement was costed when those tables were small and is not costed again as they grow
    // (until an ANALYZE, which a server without autovacuum never makes): measured, the claim's
    // cached plan scanned the whole queue, dead rows and all, for every claim. Planned afresh
    // at each run, a statement sees the tables' current size; the name still saves the parse.
    // The inbox's accept only inserts: its generic plan cannot go stale, and it is kept.
    const sessionUrl = withSessionSetting(url, 'synchronous_commit', synchronousCommit);
    const pool = new pg.Pool({
      connectionString:
        synchronousCommit === 'off'
          ? withSessionSetting(sessionUrl, 'plan_cache_mode', 'force_custom_plan')
          : sessionUrl,
      max,
      types,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      idleTimeoutMillis: 30_000,
      application_name: 'cloudfn',
    });
    // Without a listener an idle connection's error (server restart) would crash the process.
    pool.on('error', (err) => options.onIdleError?.(err));
    // A connection that drops while checked out (inside a transaction) emits 'error' on its
    // client, where the pool's idle listener is not: unheard, it would end the process. The
    // query in flight rejects on its own (E_DATABASE_UNAVAILABLE through guarded()).
    pool.on('connect', (client) => client.on('error', (err) => options.onIdleError?.(err)));
    return pool;
  };
  const durable = make(durableSize, 'on');
  const relaxed = make(relaxedSize, 'off');
  const end = async () => {
    await Promise.allSettled([durable.end(), relaxed.end()]);
  };
  try {
    await durable.query('SELECT 1');
  } catch (err) {
    await end();
    throw new DatabaseUnavailableError(where, reasonOf(err), err);
  }
  return { durable, relaxed, where, end };
}

/**
 * The URL with a session setting added to its `options` (kept: a search_path given there
 * selects the schema), so every connection of a pool starts with it: no extra statement.
 */
function withSessionSetting(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${given ? `${given} ` : ''}-c ${name}=${value}`);
  return parsed.toString();
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `fn` and turns a lost connection into E_DATABASE_UNAVAILABLE (503); other errors
 * (bugs, constraint violations the caller handles) pass unchanged.
 */
export async function guarded<T>(where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DatabaseUnavailableError || !isConnectionFailure(err)) throw err;
    throw new DatabaseUnavailableError(where, reasonOf(err), err);
  }
}

/**
 * One transaction on a client of `pool`: BEGIN, `fn`, COMMIT (ROLLBACK on any error). The
 * client goes back to the pool, or is destroyed if the connection broke.
 */
export async function transaction<T>(
  pool: pg.Pool,
  where: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  return guarded(where, async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (isConnectionFailure(err)) broken = err as Error;
      else await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  });
}

/** The names of this process's parameterised statements (statement-names.ts says why). */
const statementNames = new StatementNames();

/**
 * A parameterised query on the pool, with connection failures as E_DATABASE_UNAVAILABLE. It
 * runs as a named statement, prepared once per connection (statement-names.ts); one the server
 * refuses as stale is run again unnamed, and unnamed from then on.
 */
export function query<R extends pg.QueryResultRow>(
  pool: pg.Pool,
  where: string,
  text: string,
  values: unknown[] = [],
): Promise<pg.QueryResult<R>> {
  const name = values.length > 0 ? statementNames.nameOf(text) : undefined;
  if (name === undefined) return guarded(where, () => pool.query<R>(text, values));
  return guarded(where, async () => {
    try {
      return await pool.query<R>({ name, text, values });
    } catch (err) {
      if (!isStalePreparedStatement(err)) throw err;
      statementNames.refuse(text);
      return pool.query<R>(text, values);
    }
  });
}
