import type { Database } from 'better-sqlite3';
import { hookKeyHash, hookKeyHint } from './hook-key-hash.ts';
import { eventTypeOf, laneOf, type Action } from '../../triggers/index.ts';

/**
 * Numbered schema migrations of the engine database, applied in order at start.
 * Never edit a shipped migration: add the next number.
 */
const MIGRATIONS: string[] = [
  // 1: the engine's state
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE accounts (
    app_id TEXT PRIMARY KEY, token TEXT NOT NULL, aes_key TEXT, previous_aes_key TEXT,
    mode TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE functions (
    name TEXT PRIMARY KEY, active_version INTEGER NOT NULL,
    created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE function_versions (
    name TEXT NOT NULL REFERENCES functions(name) ON DELETE CASCADE, version INTEGER NOT NULL,
    code TEXT NOT NULL, sha256 TEXT NOT NULL, timeout_ms INTEGER NOT NULL, memory_mb INTEGER NOT NULL,
    env TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (name, version));
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY, function TEXT NOT NULL, version INTEGER NOT NULL, source TEXT NOT NULL,
    status TEXT NOT NULL, created_at INTEGER NOT NULL, finished_at INTEGER, duration_ms REAL,
    cpu_ms REAL, memory_bytes INTEGER, data TEXT, result TEXT, error TEXT, log TEXT,
    trigger_name TEXT, trigger_log_id TEXT);
  CREATE INDEX jobs_by_function ON jobs (function, created_at DESC);
  CREATE TABLE triggers (
    name TEXT PRIMARY KEY, type TEXT NOT NULL, enabled INTEGER NOT NULL, definition TEXT NOT NULL,
    webhook_key TEXT UNIQUE, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
  CREATE TABLE trigger_logs (
    id TEXT PRIMARY KEY, trigger TEXT NOT NULL, triggered_at INTEGER NOT NULL, event TEXT,
    inbox_id TEXT, action_index INTEGER NOT NULL, action TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, error_type TEXT, error TEXT, job_id TEXT,
    duration_ms REAL, updated_at INTEGER NOT NULL);
  CREATE INDEX trigger_logs_by_trigger ON trigger_logs (trigger, triggered_at DESC);
  CREATE TABLE inbox (
    id TEXT PRIMARY KEY, source TEXT NOT NULL, key TEXT NOT NULL, dedup_key TEXT,
    data TEXT NOT NULL, received_at INTEGER NOT NULL, dispatched INTEGER NOT NULL DEFAULT 0);
  CREATE UNIQUE INDEX inbox_dedup ON inbox (source, key, dedup_key) WHERE dedup_key IS NOT NULL;
  CREATE INDEX inbox_pending ON inbox (dispatched, received_at) WHERE dispatched = 0;
  CREATE TABLE queue (
    id TEXT PRIMARY KEY, trigger_log_id TEXT NOT NULL, trigger TEXT NOT NULL,
    action_index INTEGER NOT NULL, action TEXT NOT NULL, event TEXT, event_type TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, run_at INTEGER NOT NULL, claimed INTEGER NOT NULL DEFAULT 0);
  CREATE INDEX queue_due ON queue (claimed, run_at);
  `,
  // 2: inbox entries whose dispatch failed are set aside (dispatched = 2) with their error,
  // so one bad entry cannot hold up the ones after it; listed and replayed through the API.
  `
  ALTER TABLE inbox ADD COLUMN dispatch_error TEXT;
  ALTER TABLE inbox ADD COLUMN failed_at INTEGER;
  CREATE INDEX inbox_failed ON inbox (received_at) WHERE dispatched = 2;
  `,
  // 3: WeChat API access: AppSecrets, the shared access token, fetches per day (WeChat's quota).
  // Secret columns hold values sealed by engine/secrets/secret-box.ts; rows written before
  // this migration are re-encrypted at open (sealAccountSecrets), which needs the key.
  `
  ALTER TABLE accounts ADD COLUMN app_secret TEXT;
  CREATE TABLE wechat_tokens (
    app_id TEXT PRIMARY KEY, token TEXT NOT NULL, expires_at INTEGER NOT NULL,
    fetched_at INTEGER NOT NULL);
  CREATE TABLE wechat_token_fetches (
    app_id TEXT NOT NULL, day TEXT NOT NULL, fetches INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (app_id, day));
  `,
  // 4: incoming-webhook keys kept only as their SHA-256 and a 4-character hint (issue 12, item 10).
  // The old column stays (SQLite cannot drop a UNIQUE column) but is emptied.
  `
  ALTER TABLE triggers ADD COLUMN webhook_key_hash TEXT;
  ALTER TABLE triggers ADD COLUMN webhook_key_hint TEXT;
  UPDATE triggers SET webhook_key_hash = cloudfn_hook_key_hash(webhook_key),
    webhook_key_hint = cloudfn_hook_key_hint(webhook_key) WHERE webhook_key IS NOT NULL;
  UPDATE triggers SET webhook_key = NULL;
  CREATE UNIQUE INDEX triggers_by_key_hash ON triggers (webhook_key_hash)
    WHERE webhook_key_hash IS NOT NULL;
  `,
  // 5: one copy of each event (issue 14, items 1 and 3). The inbox row holds the event; trigger
  // logs and jobs name it (inbox_id) and new rows keep no copy (old rows keep theirs: reads
  // take the row's own copy first). A log row stores the lane and eventType its dispatch
  // decided (computed here once for old rows, by the same rules, registered below), so the
  // queue is only what changes per attempt: a reference to its log row, the attempt count,
  // when it is due, and who holds it until when (claims carry an owner and a lease).
  `
  ALTER TABLE trigger_logs ADD COLUMN event_type TEXT NOT NULL DEFAULT 'trigger';
  ALTER TABLE trigger_logs ADD COLUMN lane TEXT NOT NULL DEFAULT '';
  UPDATE trigger_logs SET
    event_type = cloudfn_event_type((SELECT type FROM triggers WHERE name = trigger_logs.trigger)),
    lane = cloudfn_lane(action, trigger, action_index);
  CREATE TABLE queue_items (
    id TEXT PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, run_at INTEGER NOT NULL,
    owner TEXT, lease_until INTEGER);
  INSERT INTO queue_items (id, attempts, run_at)
    SELECT trigger_log_id, attempts, run_at FROM queue
    WHERE trigger_log_id IN (SELECT id FROM trigger_logs) ORDER BY rowid;
  DROP TABLE queue;
  ALTER TABLE queue_items RENAME TO queue;
  ALTER TABLE jobs ADD COLUMN inbox_id TEXT;
  `,
];

/**
 * Applies the migrations the database has not seen yet, each in a transaction; `upTo` stops
 * after that many (tests build an older schema with it).
 */
export function migrate(db: Database, upTo = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  // SQL functions the migrations call (migration 4 hashes the stored hook keys).
  db.function('cloudfn_hook_key_hash', { deterministic: true }, (key: unknown) =>
    hookKeyHash(String(key)),
  );
  db.function('cloudfn_hook_key_hint', { deterministic: true }, (key: unknown) =>
    hookKeyHint(String(key)),
  );
  // Migration 5 stores each old firing's lane and eventType, by the rules dispatch applies.
  db.function('cloudfn_event_type', { deterministic: true }, (type: unknown) =>
    eventTypeOf(String(type)),
  );
  db.function(
    'cloudfn_lane',
    { deterministic: true },
    (action: unknown, trigger: unknown, index: unknown) =>
      laneOf(JSON.parse(String(action)) as Action, String(trigger), Number(index)),
  );
  for (let i = current; i < Math.min(upTo, MIGRATIONS.length); i++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}
