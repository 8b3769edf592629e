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
import { query, transaction, type PgPools } from './pool.ts';

/**
 * Accounts on PostgreSQL; secrets are sealed before they leave the process. Every write
 * notifies `channel` with the AppID: every process drops its prepared keys of the account.
 */
export async function postgresAccountStore(
  db: PgPools,
  box: SecretBox,
  channel: string,
): Promise<AccountStore> {
  const seal = (value: string | null, column: SecretColumn, appId: string) =>
    sealColumn(box, value, column, appId);
  const toRecord = (row: AccountRow): AccountRecord => toAccountRecord(box, row);
  await resealAccountSecrets(db, box);
  const { durable, where } = db;
  return {
    async put(account, now) {
      const { appId } = account;
      const { rows } = await query<AccountRow>(
        durable,
        where,
        `INSERT INTO accounts (app_id, token, aes_key, previous_aes_key, app_secret, mode, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (app_id) DO UPDATE SET token = excluded.token, aes_key = excluded.aes_key,
           previous_aes_key = excluded.previous_aes_key, app_secret = excluded.app_secret,
           mode = excluded.mode, updated_at = excluded.updated_at
         RETURNING *, pg_notify($8, app_id)`,
        [
          appId,
          seal(account.token, 'token', appId),
          seal(account.encodingAESKey, 'aes_key', appId),
          seal(account.previousEncodingAESKey, 'previous_aes_key', appId),
          seal(account.appSecret, 'app_secret', appId),
          account.mode,
          now,
          channel,
        ],
      );
      return toRecord(rows[0]!);
    },
    async get(appId) {
      const { rows } = await query<AccountRow>(
        durable,
        where,
        'SELECT * FROM accounts WHERE app_id = $1',
        [appId],
      );
      return rows[0] && toRecord(rows[0]);
    },
    async list() {
      const { rows } = await query<AccountRow>(
        durable,
        where,
        'SELECT * FROM accounts ORDER BY app_id COLLATE "C"',
      );
      return rows.map(toRecord);
    },
    async delete(appId) {
      const { rowCount } = await query(
        durable,
        where,
        'DELETE FROM accounts WHERE app_id = $1 RETURNING pg_notify($2, app_id)',
        [appId, channel],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}

/**
 * Seals what is not sealed under the current key (rows sealed under CLOUDFN_SECRETS_KEY_OLD
 * during a rotation), in one transaction whose rows are locked: two processes starting
 * together do it once. Throws E_SECRETS_KEY_MISMATCH on a key that opens nothing.
 */
async function resealAccountSecrets(db: PgPools, box: SecretBox): Promise<number> {
  return transaction(db.durable, db.where, async (client) => {
    const { rows } = await client.query<AccountRow>('SELECT * FROM accounts FOR UPDATE');
    let changed = 0;
    for (const row of rows) {
      for (const column of SECRET_COLUMNS) {
        const value = row[column];
        if (value === null || box.isCurrent(value)) continue;
        const plain = isSealed(value) ? box.open(value, secretContext(column, row.app_id)) : value;
        // The column name comes from the fixed SECRET_COLUMNS list, never from input.
        await client.query(`UPDATE accounts SET ${column} = $1 WHERE app_id = $2`, [
          box.seal(plain, secretContext(column, row.app_id)),
          row.app_id,
        ]);
        changed++;
      }
    }
    return changed;
  });
}
