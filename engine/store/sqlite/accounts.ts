import type { Database } from 'better-sqlite3';
import type { AccountMode, AccountRecord, AccountStore } from '../ports.ts';

interface AccountRow {
  app_id: string;
  token: string;
  aes_key: string | null;
  previous_aes_key: string | null;
  mode: AccountMode;
  created_at: number;
  updated_at: number;
}

const toRecord = (row: AccountRow): AccountRecord => ({
  appId: row.app_id,
  token: row.token,
  encodingAESKey: row.aes_key,
  previousEncodingAESKey: row.previous_aes_key,
  mode: row.mode,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function sqliteAccountStore(db: Database): AccountStore {
  const upsert = db.prepare(`
    INSERT INTO accounts (app_id, token, aes_key, previous_aes_key, mode, created_at, updated_at)
    VALUES (@appId, @token, @encodingAESKey, @previousEncodingAESKey, @mode, @now, @now)
    ON CONFLICT (app_id) DO UPDATE SET token = excluded.token, aes_key = excluded.aes_key,
      previous_aes_key = excluded.previous_aes_key, mode = excluded.mode, updated_at = excluded.updated_at`);
  const byId = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE app_id = ?');
  const all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY app_id');
  const remove = db.prepare('DELETE FROM accounts WHERE app_id = ?');
  return {
    put(account, now) {
      upsert.run({ ...account, now });
      return toRecord(byId.get(account.appId)!);
    },
    get(appId) {
      const row = byId.get(appId);
      return row && toRecord(row);
    },
    list: () => all.all().map(toRecord),
    delete: (appId) => remove.run(appId).changes > 0,
  };
}
