/**
 * The connection pool of a PostgresTableStore. Its own type parsers (not pg's global ones,
 * which the engine store's pool may set differently): bigint as a JavaScript number (ids,
 * times and integer fields are safe integers, checked on the way in), json and jsonb as their
 * text (so NUL escapes are undone before parsing).
 */
import pg from 'pg';

const INT8 = 20;
const JSON_OID = 114;
const JSONB = 3802;

export interface PgPoolOptions {
  /** postgres://… ; `options=-c search_path=…` selects the schema. */
  url: string;
  /** Connections at most (default 10). */
  max?: number;
  /** How long to wait for a connection before failing (ms, default 5000). */
  connectTimeoutMs?: number;
}

/** A pool whose bigint and jsonb columns arrive as the store reads them. */
export function createTablesPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // A server that does not answer fails the call (E_DATABASE_UNAVAILABLE), not hangs it.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === INT8) return (text: string) => Number(text);
        if (oid === JSONB || oid === JSON_OID) return (text: string) => text;
        return pg.types.getTypeParser(oid, format);
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection that fails (the server restarted) is dropped by the pool and the next
  // query opens a new one; unheard, the pool's 'error' event would end the process.
  pool.on('error', () => {});
  // A client checked out (a transaction) has no pool listener: if its connection drops then,
  // pg fails the query in flight (which the caller maps to E_DATABASE_UNAVAILABLE) and also
  // emits 'error' on the client, which unheard would end the process. The release drops the
  // dead client (pg-pool removes a client that is no longer queryable).
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
