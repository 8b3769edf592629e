import nodePath from 'node:path';
import Database from 'better-sqlite3';
import type { EngineStore } from '../ports.ts';
import { migrate } from './migrations.ts';
import { sqliteAccountStore } from './accounts.ts';
import { sqliteTokenStore } from './access-tokens.ts';
import { createSecretBox, type SecretBox } from '../../secrets/secret-box.ts';
import { resolveSecretsKeys } from '../../secrets/secrets-key.ts';
import { sqliteFunctionStore } from './functions.ts';
import { sqliteJobStore } from './jobs.ts';
import { sqliteTriggerStore } from './triggers.ts';
import { closeInboxSync } from './inbox.ts';
import { sqliteDeliveryLog } from './delivery-log.ts';
import { writeBehindOf } from './write-behind.ts';

/**
 * Opens (creating and migrating) the engine's own SQLite database.
 * WAL with synchronous=FULL: a push answered `success` is on disk even if the machine
 * loses power right after (NORMAL would only survive a process crash). The inbox gets the
 * same durability with its fsync off the event loop (commit at NORMAL, then wal-sync.ts).
 * The delivery log (delivery-log.ts) and the jobs are one process's: it keeps the queue's due
 * items in memory. Bookkeeping (jobs, trigger-log updates, queue completions) is written behind at NORMAL, in
 * one transaction per turn of the event loop (write-behind.ts): it becomes durable with the
 * next inbox sync, and a crash can only make delivery run again (at least once).
 */
export function openSqliteEngineStore(
  path: string,
  options: {
    /** Seals the secret columns; by default keyed by secrets.key beside the database. */
    secrets?: SecretBox;
    /** `process`: the inbox does not wait for the log's fsync before a push is answered. */
    durability?: 'fsync' | 'process';
  } = {},
): EngineStore {
  const secrets =
    options.secrets ?? createSecretBox(resolveSecretsKeys(nodePath.dirname(path)).key);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  const getSetting = db.prepare<[string], { value: string }>(
    'SELECT value FROM settings WHERE key = ?',
  );
  const setSetting = db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  let accounts: EngineStore['accounts'];
  let accessTokens: EngineStore['accessTokens'];
  try {
    // Both (re-)seal stored secrets first, which fails with E_SECRETS_KEY_MISMATCH on a wrong key.
    accounts = sqliteAccountStore(db, secrets);
    accessTokens = sqliteTokenStore(db, secrets);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    accounts,
    accessTokens,
    functions: sqliteFunctionStore(db),
    jobs: sqliteJobStore(db),
    triggers: sqliteTriggerStore(db),
    delivery: sqliteDeliveryLog(db, { waitForDisk: options.durability !== 'process' }),
    settings: {
      get: async (key) => getSetting.get(key)?.value,
      set: async (key, value) => void setSetting.run(key, value),
    },
    close: async () => {
      writeBehindOf(db).close(); // commit queued bookkeeping before the file closes
      closeInboxSync(db);
      db.close();
    },
  };
}
