import type { TokenStore } from '../ports.ts';
import { isSealed, type SecretBox } from '../../secrets/secret-box.ts';
import { tokenContext, toStoredToken, type TokenRow } from '../rows/access-tokens.ts';
import { query, transaction, type PgPools } from './pool.ts';

/**
 * Access tokens on PostgreSQL: one row per account that every engine process shares, so
 * they fetch one token (WeChat's daily quota counts fetches across them all).
 */
export async function postgresTokenStore(db: PgPools, box: SecretBox): Promise<TokenStore> {
  const { durable, where } = db;
  // Tokens sealed under a rotated-away key: re-sealed (they live 2 hours, but cost quota to refetch).
  await transaction(durable, where, async (client) => {
    const { rows } = await client.query<TokenRow>('SELECT * FROM wechat_tokens FOR UPDATE');
    for (const row of rows) {
      if (box.isCurrent(row.token)) continue;
      const plain = isSealed(row.token) ? box.open(row.token, tokenContext(row.app_id)) : row.token;
      await client.query('UPDATE wechat_tokens SET token = $1 WHERE app_id = $2', [
        box.seal(plain, tokenContext(row.app_id)),
        row.app_id,
      ]);
    }
  });
  return {
    async get(appId) {
      const { rows } = await query<TokenRow>(
        durable,
        where,
        'SELECT * FROM wechat_tokens WHERE app_id = $1',
        [appId],
      );
      const row = rows[0];
      if (row === undefined) return undefined;
      return toStoredToken(box, row);
    },
    async put(appId, token) {
      await query(
        durable,
        where,
        `INSERT INTO wechat_tokens (app_id, token, expires_at, fetched_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id) DO UPDATE SET token = excluded.token, expires_at = excluded.expires_at,
           fetched_at = excluded.fetched_at`,
        [appId, box.seal(token.accessToken, tokenContext(appId)), token.expiresAt, token.fetchedAt],
      );
    },
    async delete(appId) {
      await query(durable, where, 'DELETE FROM wechat_tokens WHERE app_id = $1', [appId]);
    },
    async countFetch(appId, day, ok) {
      // One statement: concurrent fetches from several processes each count.
      await query(
        durable,
        where,
        `INSERT INTO wechat_token_fetches (app_id, day, fetches, failures) VALUES ($1, $2, 1, $3)
         ON CONFLICT (app_id, day) DO UPDATE SET fetches = wechat_token_fetches.fetches + 1,
           failures = wechat_token_fetches.failures + excluded.failures`,
        [appId, day, ok ? 0 : 1],
      );
    },
    async fetchCounts(appId, day) {
      const { rows } = await query<{ fetches: number; failures: number }>(
        durable,
        where,
        'SELECT fetches, failures FROM wechat_token_fetches WHERE app_id = $1 AND day = $2',
        [appId, day],
      );
      return rows[0] ?? { fetches: 0, failures: 0 };
    },
  };
}
