import type pg from 'pg';

/**
 * Numbered schema migrations of the engine's state on PostgreSQL, applied in order at start
 * under an advisory lock (so N processes starting together migrate once) and recorded in
 * `schema_migrations`. Never edit a shipped migration: add the next number.
 *
 * Every object is created unqualified: the schema is the connection's search_path (the
 * URL's `options=-c search_path=…`, or `public`). Times are unix ms (`bigint`). JSON that is
 * only stored and handed back is `text` (no parse on write, no re-serialise on read; and
 * jsonb refuses `\u0000`, which a push may contain); the few reads that look inside it go
 * through `cloudfn_json`, which yields NULL for what does not parse as jsonb.
 * One copy of each event: the inbox row holds it; trigger logs, queue items and jobs name
 * their inbox entry (`inbox_id`) and reads join it back.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: the engine's state and the delivery log
  `
  CREATE TABLE settings (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE accounts (
    app_id text PRIMARY KEY, token text NOT NULL, aes_key text, previous_aes_key text,
    app_secret text, mode text NOT NULL, created_at bigint NOT NULL, updated_at bigint NOT NULL);
  CREATE TABLE wechat_tokens (
    app_id text PRIMARY KEY, token text NOT NULL, expires_at bigint NOT NULL,
    fetched_at bigint NOT NULL);
  CREATE TABLE wechat_token_fetches (
    app_id text NOT NULL, day text NOT NULL, fetches integer NOT NULL DEFAULT 0,
    failures integer NOT NULL DEFAULT 0, PRIMARY KEY (app_id, day));
  CREATE TABLE functions (
    name text PRIMARY KEY, active_version integer NOT NULL,
    created_at bigint NOT NULL, updated_at bigint NOT NULL);
  CREATE TABLE function_versions (
    name text NOT NULL REFERENCES functions (name) ON DELETE CASCADE, version integer NOT NULL,
    code text NOT NULL, sha256 text NOT NULL, timeout_ms integer NOT NULL,
    memory_mb integer NOT NULL, env text NOT NULL, created_at bigint NOT NULL,
    PRIMARY KEY (name, version));
  CREATE TABLE triggers (
    name text PRIMARY KEY, type text NOT NULL, enabled boolean NOT NULL, definition text NOT NULL,
    webhook_key_hash text UNIQUE, webhook_key_hint text,
    created_at bigint NOT NULL, updated_at bigint NOT NULL);

  -- status: 0 pending, 1 dispatched, 2 set aside (dispatch_failed)
  CREATE TABLE inbox (
    seq bigserial NOT NULL, id text PRIMARY KEY, source text NOT NULL, key text NOT NULL,
    dedup_key text, data text NOT NULL, received_at bigint NOT NULL,
    status smallint NOT NULL DEFAULT 0, dispatch_error text, failed_at bigint);
  CREATE UNIQUE INDEX inbox_dedup ON inbox (source, key, dedup_key) WHERE dedup_key IS NOT NULL;
  CREATE INDEX inbox_pending ON inbox (received_at, seq) WHERE status = 0;
  CREATE INDEX inbox_pending_by_key ON inbox (source, key) WHERE status = 0;
  CREATE INDEX inbox_newest ON inbox (received_at DESC, seq DESC);
  CREATE INDEX inbox_by_status ON inbox (status, received_at DESC, seq DESC);

  CREATE TABLE trigger_logs (
    seq bigserial NOT NULL, id text PRIMARY KEY, trigger text NOT NULL,
    triggered_at bigint NOT NULL, inbox_id text, event text, action_index integer NOT NULL,
    action text NOT NULL, event_type text NOT NULL, lane text NOT NULL,
    status text NOT NULL, attempts integer NOT NULL DEFAULT 0,
    error_type text, error text, job_id text, duration_ms double precision,
    updated_at bigint NOT NULL);
  CREATE INDEX trigger_logs_newest ON trigger_logs (triggered_at DESC, seq DESC);
  CREATE INDEX trigger_logs_by_trigger ON trigger_logs (trigger, triggered_at DESC, seq DESC);
  -- the frequency guard (last firing of a trigger action) and retention (keep the latest)
  CREATE INDEX trigger_logs_by_action ON trigger_logs (trigger, action_index, triggered_at);
  CREATE INDEX trigger_logs_by_inbox ON trigger_logs (inbox_id) WHERE inbox_id IS NOT NULL;

  -- One row per firing waiting or running; its id is its trigger log row's (which holds
  -- its action and event type). owner and lease_until are set while claimed; a lease past
  -- its time may be taken over.
  CREATE TABLE queue (
    seq bigserial NOT NULL, id text PRIMARY KEY, trigger text NOT NULL, lane text NOT NULL,
    inbox_id text, attempts integer NOT NULL DEFAULT 0, run_at bigint NOT NULL,
    owner text, lease_until bigint);
  -- claims: per lane, oldest due first (claimed rows are few: at most what runs now)
  CREATE INDEX queue_by_lane ON queue (lane, run_at, seq);
  -- the next due time: unclaimed items, and leases that will expire
  CREATE INDEX queue_due ON queue (run_at) WHERE owner IS NULL;
  CREATE INDEX queue_leased ON queue (lease_until) WHERE owner IS NOT NULL;
  CREATE INDEX queue_by_trigger ON queue (trigger);

  CREATE TABLE jobs (
    seq bigserial NOT NULL, id text PRIMARY KEY, function text NOT NULL,
    version integer NOT NULL, source text NOT NULL, status text NOT NULL,
    created_at bigint NOT NULL, finished_at bigint, duration_ms double precision,
    cpu_ms double precision, memory_bytes bigint, data text, inbox_id text, result text,
    error text, log text, trigger_name text, trigger_log_id text,
    -- the store instance (engine process) that ran it: see liveness.ts
    owner text);
  CREATE INDEX jobs_by_function ON jobs (function, created_at DESC, seq DESC);
  CREATE INDEX jobs_oldest ON jobs (seq);
  CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('executing', 'waiting');
  CREATE INDEX jobs_by_inbox ON jobs (inbox_id) WHERE inbox_id IS NOT NULL;

  CREATE FUNCTION cloudfn_json(value text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
  BEGIN
    RETURN value::jsonb;
  EXCEPTION WHEN others THEN
    RETURN NULL;
  END $$;
  `,
  // 2: less work per push on the hot tables.
  // - trigger_logs: room on each page for HOT updates. An attempt's outcome (complete, retry,
  //   dead letter) changes no indexed column, so with room on its page the row's new version
  //   stays there and none of the five indexes gets an entry (measured with the bench's
  //   statements: 28 % of these updates HOT at the default 100, 81 % at 70, 92 % at 60, all at
  //   50, for the same heap and index size in all: the dead versions the non-HOT updates leave
  //   take the room the fillfactor keeps). Pages written before keep their fill.
  // - inbox: the index by status goes (every accept and every dispatch added an entry to it:
  //   the dispatch's update of `status` cannot be HOT). Its listings by status use the
  //   others: pending ones inbox_pending, set-aside ones a partial index of their own (few
  //   rows), dispatched ones (nearly all) inbox_newest. And the index of pending entries by
  //   source and key is narrowed to what reads it (whether a timer's tick is still pending):
  //   pending timer ticks only, so a push adds no entry to it.
  `
  ALTER TABLE trigger_logs SET (fillfactor = 50);
  DROP INDEX inbox_by_status;
  CREATE INDEX inbox_set_aside ON inbox (received_at DESC, seq DESC) WHERE status = 2;
  DROP INDEX inbox_pending_by_key;
  CREATE INDEX inbox_pending_timers ON inbox (key) WHERE status = 0 AND source = 'timer';
  `,
];

/** Both halves of the advisory lock key: cloudfn's migrations, in this schema. */
const LOCK_CLASS = 0x0c10df17;

/**
 * Applies the migrations the database has not seen, each in its own transaction, holding a
 * session advisory lock keyed by the current schema meanwhile: processes starting together
 * wait for the first, then find nothing left to do. Returns how many this call applied.
 */
export async function migratePostgres(
  client: pg.ClientBase,
  migrations: readonly string[] = MIGRATIONS,
): Promise<number> {
  await client.query('SELECT pg_advisory_lock($1, hashtext(current_schema()))', [LOCK_CLASS]);
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)',
    );
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT max(version) AS v FROM schema_migrations',
    );
    const current = rows[0]?.v ?? 0;
    let applied = 0;
    for (let i = current; i < migrations.length; i++) {
      await client.query('BEGIN');
      try {
        await client.query(migrations[i]!);
        await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [
          i + 1,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
      applied++;
    }
    return applied;
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1, hashtext(current_schema()))', [LOCK_CLASS])
      .catch(() => {});
  }
}
