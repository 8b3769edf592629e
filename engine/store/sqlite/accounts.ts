import type { Database } from 'better-sqlite3';
import type { AccountRecord, AccountStore } from '../ports.ts';
import { isSealed, type SecretBox } from '../../secrets/secret-box.ts';
import {
  SECRET_COLUMNS,
  sealColumn,
  secretContext,
  toAccountRecord,
  type AccountRow,
  type SecretColumn,
} from '../rows/accounts.ts';

export function sqliteAccountStore(db: Database, box: SecretBox): AccountStore {
  const seal = (value: string | null, column: SecretColumn, appId: string) =>
    sealColumn(box, value, column, appId);
  const toRecord = (row: AccountRow): AccountRecord => toAccountRecord(box, row);

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
        const plain = isSealed(value) ? box.open(value, secretContext(column, row.app_id)) : value;
        db.prepare(`UPDATE accounts SET ${column} = ? WHERE app_id = ?`).run(
          box.seal(plain, secretContext(column, row.app_id)),
          row.app_id,
        );
        changed++;
      }
    }
  })();
  return changed;
}
