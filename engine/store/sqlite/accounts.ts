import type { Database } from 'better-sqlite3';
import type { AccountMode, AccountRecord, AccountStore } from '../ports.ts';
import { isSealed, type SecretBox } from '../../secrets/secret-box.ts';

interface AccountRow {
  app_id: string;
  token: string;
  aes_key: string | null;
  previous_aes_key: string | null;
  app_secret: string | null;
  mode: AccountMode;
  created_at: number;
  updated_at: number;
}

/** The columns that hold secrets: sealed at rest (engine/secrets/secret-box.ts). */
const SECRET_COLUMNS = ['token', 'aes_key', 'previous_aes_key', 'app_secret'] as const;
type SecretColumn = (typeof SECRET_COLUMNS)[number];

const context = (column: SecretColumn, appId: string) => `accounts.${column}.${appId}`;

export function sqliteAccountStore(db: Database, box: SecretBox): AccountStore {
  const seal = (value: string | null, column: SecretColumn, appId: string) =>
    value === null ? null : box.seal(value, context(column, appId));
  const open = (value: string | null, column: SecretColumn, appId: string) =>
    value === null ? null : box.open(value, context(column, appId));
  const toRecord = (row: AccountRow): AccountRecord => ({
    appId: row.app_id,
    token: open(row.token, 'token', row.app_id)!,
    encodingAESKey: open(row.aes_key, 'aes_key', row.app_id),
    previousEncodingAESKey: open(row.previous_aes_key, 'previous_aes_key', row.app_id),
    mode: row.mode,
    appSecret: open(row.app_secret, 'app_secret', row.app_id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });

  sealAccountSecrets(db, box);
  const upsert = db.prepare(`
    INSERT INTO accounts (app_id, token, aes_key, previous_aes_key, app_secret, mode, created_at, updated_at)
    VALUES (@appId, @token, @aesKey, @previousAesKey, @appSecret, @mode, @now, @now)
    ON CONFLICT (app_id) DO UPDATE SET token = excluded.token, aes_key = excluded.aes_key,
      previous_aes_key = excluded.previous_aes_key, app_secret = excluded.app_secret,
      mode = excluded.mode, updated_at = excluded.updated_at`);
  const byId = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE app_id = ?');
  const all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY app_id');
  const remove = db.prepare('DELETE FROM accounts WHERE app_id = ?');
  return {
    async put(account, now) {
      const { appId } = account;
      upsert.run({
        appId,
        token: seal(account.token, 'token', appId),
        aesKey: seal(account.encodingAESKey, 'aes_key', appId),
        previousAesKey: seal(account.previousEncodingAESKey, 'previous_aes_key', appId),
        appSecret: seal(account.appSecret, 'app_secret', appId),
        mode: account.mode,
        now,
      });
      return toRecord(byId.get(appId)!);
    },
    async get(appId) {
      const row = byId.get(appId);
      return row && toRecord(row);
    },
    list: async () => all.all().map(toRecord),
    delete: async (appId) => remove.run(appId).changes > 0,
  };
}

/**
 * Seals what is not sealed under the current key: plaintext rows of databases written before
 * secrets were encrypted, and rows sealed under CLOUDFN_SECRETS_KEY_OLD (a key rotation).
 * One transaction: a crash leaves every row as it was or every row done. Returns the count.
 */
export function sealAccountSecrets(db: Database, box: SecretBox): number {
  const rows = db.prepare<[], AccountRow>('SELECT * FROM accounts').all();
  let changed = 0;
  db.transaction(() => {
    for (const row of rows) {
      for (const column of SECRET_COLUMNS) {
        const value = row[column];
        if (value === null || box.isCurrent(value)) continue;
        const plain = isSealed(value) ? box.open(value, context(column, row.app_id)) : value;
        db.prepare(`UPDATE accounts SET ${column} = ? WHERE app_id = ?`).run(
          box.seal(plain, context(column, row.app_id)),
          row.app_id,
        );
        changed++;
      }
    }
  })();
  return changed;
}
